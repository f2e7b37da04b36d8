# Django settings module (the Python variant of settings.yaml).
DATABASES = {
    "reports": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": "pootle",
        "USER": "pootle_reports",
        "PASSWORD": "changeme",
        "HOST": "pootle-db.internal",
        "PORT": 3306,
        "CONN_MAX_AGE": 300,
    },
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": "pootle",
        "USER": "pootle",
        "PASSWORD": "changeme",
        "HOST": "pootle-db.internal",
        "PORT": 3306,
        "ATOMIC_REQUESTS": True,
        "CONN_MAX_AGE": None,  # persistent forever
        "OPTIONS": {"init_command": "SET sql_mode='STRICT_TRANS_TABLES'"},
    },
}
