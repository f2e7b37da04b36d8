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
        # kept 12 s: the 6 s idle period must stay below half of it
        "CONN_MAX_AGE": 12,
    },
}
