# Django settings module (the Python variant of settings.yaml).
import os

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "HOST": "reports-db.example.com",
        "NAME": "reports",
        "USER": "reports",
        "PASSWORD": os.environ.get("DB_PASSWORD", ""),
        "CONN_MAX_AGE": 10 * 60,  # persistent connections, reused for 10 minutes
        "OPTIONS": {"connect_timeout": 10},
    }
}
