def seed_portal(*args, **kwargs):
    return None
