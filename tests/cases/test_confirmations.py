"""Confirmation copy on pages that end something: closing a case says what will happen and
what stays, and its button is a warning button."""

from django.urls import reverse

from accounts.roles import Role


def test_closing_a_case_says_what_will_happen(world, client, login):
    login(world.members[Role.INVESTIGATOR])
    page = client.get(reverse("cases:closure", args=[world.own_case.pk])).content.decode()
    happens = page.split('id="closure-happens"')[1].split("</ul>")[0]
    assert "monitored for six months" in happens and "clinic agendas" in happens
    assert "Reopening it needs a reason and is logged." in page
    assert 'govuk-button--warning" data-module="govuk-button">Close case' in page
