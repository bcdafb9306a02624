"""Choice widgets for long lists: a company's people or partners, a thousand options being common.

Django renders a select or a checkbox list through one template per option, which costs tens of
milliseconds for a thousand people. These widgets write the same HTML directly, from one option
writer; tests/partnerships/test_fast_widgets.py holds their output equal to Django's own widgets,
which every short list keeps using (the measurement: docs/decisions/html-one-source.md).
"""

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


def _attrs(attrs):
    # django/forms/widgets/attrs.html: True renders the bare name, False nothing.
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _value(option):
    return "" if option["value"] is None else f' value="{conditional_escape(str(option["value"]))}"'


class _WrittenOptions:
    """Renders a choice widget's options with ``option_html`` and wraps them with ``wrap``,
    instead of Django's template per option. Option groups go to Django's templates (no long
    list here has any)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group for group, _, _ in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = "".join(
            self.option_html(option) for _, group, _ in widget["optgroups"] for option in group
        )
        return self.wrap(widget, mark_safe(options))


class FastSelect(_WrittenOptions, forms.Select):
    """django/forms/widgets/select.html and select_option.html."""

    def option_html(self, option):
        value, label = conditional_escape(str(option["value"])), conditional_escape(option["label"])
        return f'\n  <option value="{value}"{_attrs(option["attrs"])}>{label}</option>\n'

    def wrap(self, widget, options):
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            mark_safe(_attrs(widget["attrs"])),
            options,
        )


class FastCheckboxSelectMultiple(_WrittenOptions, forms.CheckboxSelectMultiple):
    """django/forms/widgets/multiple_input.html and input_option.html."""

    def option_html(self, option):
        box = (
            f'<input type="{option["type"]}" name="{conditional_escape(option["name"])}"'
            f"{_value(option)}{_attrs(option['attrs'])}>\n"
        )
        if option["wrap_label"]:
            option_id = option["attrs"].get("id")
            label_for = f' for="{conditional_escape(option_id)}"' if option_id else ""
            box = f"<label{label_for}>{box} {conditional_escape(option['label'])}</label>"
        return f"<div>\n    {box}\n\n</div>"

    def wrap(self, widget, options):
        attrs = {k: widget["attrs"][k] for k in ("id", "class") if widget["attrs"].get(k)}
        return mark_safe(f"<div{_attrs(attrs)}>{options}\n</div>")
