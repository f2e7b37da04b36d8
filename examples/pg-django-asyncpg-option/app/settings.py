# Django settings module (the Python variant of settings.yaml).
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "api",
        "USER": "api",
        "HOST": "api-db.internal",
        "PORT": 5432,
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "connect_timeout": 10,
            "command_timeout": 30,  # an asyncpg argument: psycopg rejects it
        },
    }
}
