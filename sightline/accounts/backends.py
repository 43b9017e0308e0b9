"""Django's permission backend, without the superuser's blanket grant.

Django grants an active superuser every permission, in the backend (all ``Permission``
rows) and in ``User.has_perm`` (before any backend is asked). Sightline decides every
read of a child's record from dated relationships, and a superuser flag is not one: a
superuser gets exactly the permissions granted to their account or groups, and the
object rules decide the rest (``User.has_perm`` in ``accounts/models.py``).
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend


class PermissionBackend(ModelBackend):
    def _get_permissions(self, user_obj: Any, obj: Any, from_name: str) -> set[str]:
        # ModelBackend's own method without its ``is_superuser`` branch.
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cache_name = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, cache_name):
            granted = getattr(self, f"_get_{from_name}_permissions")(user_obj)
            pairs = granted.values_list("content_type__app_label", "codename").order_by()
            setattr(user_obj, cache_name, {f"{app}.{codename}" for app, codename in pairs})
        perms: set[str] = getattr(user_obj, cache_name)
        return perms
