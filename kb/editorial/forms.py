"""The admin's login form with its password field labelled.

Wagtail's `LoginForm` declares `password` without a label, so Django shows the field's name,
"Password", untranslated, on an otherwise Chinese login page. The label is Django's own
translatable "Password" (密码 in its zh-hans catalogue), like the username's.
"""

from django.utils.translation import gettext_lazy
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


class LoginForm(WagtailLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = gettext_lazy("Password")
