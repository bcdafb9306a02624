"""The hand-written SQL of the KPI app, one module per concern.

Each query function here sits beside a reference that does the same thing the plain way (the
ORM or Python); tests/kpis/test_query_adapters.py holds each adapter equal to its reference on
generated data, and docs/decisions/sql-*.md says what each adapter saves at the large size.
Table names, columns and statuses in the SQL come from the models (``names``), never literals.
"""
