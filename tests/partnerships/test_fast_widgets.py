"""The select and checkbox widgets written directly give the HTML Django's templates give."""

import pytest
from django import forms

from partnerships.widgets import FastCheckboxSelectMultiple, FastSelect

CHOICES = [("", "Any"), (1, "Ann <b>&"), (2, 'Bob "x"'), (3, "Zoë")]


@pytest.mark.parametrize("value", [None, "", 2, "3"])
def test_fast_select_is_django_select(value):
    attrs = {"id": "id_owner", "class": "wide", "required": True, "disabled": False}
    fast = FastSelect(choices=CHOICES).render("owner", value, attrs=attrs)
    assert fast == forms.Select(choices=CHOICES).render("owner", value, attrs=attrs)


@pytest.mark.parametrize("value", [None, [], [2], [1, 3], ["2"]])
@pytest.mark.parametrize("attrs", [{"id": "id_team"}, {"id": "id_team", "class": "grid"}, {}])
def test_fast_checkboxes_are_django_checkboxes(value, attrs):
    fast = FastCheckboxSelectMultiple(choices=CHOICES[1:]).render("team", value, attrs=attrs)
    django = forms.CheckboxSelectMultiple(choices=CHOICES[1:]).render("team", value, attrs=attrs)
    assert fast == django
    assert ("checked" in fast) == bool(value)


def test_option_groups_are_rendered_by_django():
    grouped = [("", "Any"), ("People", [(1, "Ann"), (2, "Bob")])]
    assert FastSelect(choices=grouped).render("owner", 2) == forms.Select(choices=grouped).render(
        "owner", 2
    )
