"""Who sees contributions in the admin: moderators (审核), through the model's permissions."""


def can_moderate(user):
    return user.is_active and (user.is_superuser or user.has_perm("contributions.change_contribution"))
