# Django settings module (the lab replaces HOST, PORT, USER, PASSWORD and NAME).
SECRET_KEY = "lab-only"
USE_TZ = True
INSTALLED_APPS = []
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": "lab",
        "USER": "lab",
        "PASSWORD": "lab",
        "HOST": "db.lab",
        "PORT": 3306,
        "CONN_MAX_AGE": 12,
        # Django 4.1+: a persistent connection is checked before a request reuses it
        "CONN_HEALTH_CHECKS": True,
    },
}
