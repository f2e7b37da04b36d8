# Django settings module (the Python variant of settings.yaml).
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "commcarehq",
        "USER": "commcarehq",
        "HOST": "pgbouncer-nlb.internal",
        "PORT": 6432,
    }
}
DATABASES["default"]["CONN_MAX_AGE"] = 600
