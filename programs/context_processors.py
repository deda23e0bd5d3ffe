from django.utils.functional import SimpleLazyObject

from .selectors import site_chrome


def site_facts(request):
    """Header and footer data (phone, address, licences, menus).

    Lazy so that responses which never render the site chrome (health checks,
    admin JSON) pay nothing for it.
    """
    return {"site": SimpleLazyObject(site_chrome)}
