# Django 5.1+ settings module (the Python variant of settings.yaml).
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "reports",
        "USER": "reports",
        "HOST": "reports-db.internal",
        "PORT": 5432,
        "OPTIONS": {
            "connect_timeout": 10,
            "pool": {"min_size": 2, "max_size": 10, "max_lifetime": 240},
        },
    }
}
