def seed_kpis(ctx):
    pass
