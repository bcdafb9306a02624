"""Table and column names of a model for SQL text, read from its ``_meta``."""


class Names:
    """``Names(Alert).table`` is the table; ``Names(Alert).kpi`` the column of field ``kpi``."""

    def __init__(self, model):
        self._meta = model._meta
        self.table = model._meta.db_table

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._meta.get_field(name).column
