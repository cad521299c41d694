"""How staff pages name a person: ``{{ user|person_name }}`` ("Amina DIALLO", else the address)."""

from django import template

from stakeholders.models import display_name

register = template.Library()


@register.filter
def person_name(user):
    return display_name(user)
