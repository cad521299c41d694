"""Who may do what with the presidential declaration: staff compile, edit, see drafts and publish;
everyone reads the published declaration (no rule needed)."""

from stakeholders.permissions import acts_as_staff

RULES = {
    "declarations.compile": lambda user, obj: acts_as_staff(user),
    "declarations.edit": lambda user, obj: acts_as_staff(user),
    "declarations.view_drafts": lambda user, obj: acts_as_staff(user),
    "declarations.publish": lambda user, obj: acts_as_staff(user),
}
