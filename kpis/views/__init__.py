"""The KPI app's views, one module per concept (see urls.py)."""
