from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from portal import recommend
        from resources import personal

        personal.register_recommendations(lambda user: recommend.recommend(user, limit=6)[1])
