"""The adversarial sweep (issue 9), kept in the suite: every scoped URL of the permission
matrix × every role × each object the role must not reach.

For each scoped row (tests/matrix/*) and each signed-in role:

- a role the row allows, asking for another agency's object (when the role does not reach
  it), another partnership's object, or an id that does not exist, gets the same answer:
  404 with the same body, so nothing tells them apart;
- each of those requests writes exactly one denial row (AccessEvent, action "denial") with
  the actor, the actor's partnership and the id that was asked for, and nothing of
  another partnership (no case link, object text or detail naming it);
- the body never carries the other object's reference or name;
- a role the row refuses (403) also leaves exactly one denial row.

Set SWEEP_REPORT=/path/file.jsonl to append one line of figures per row (requests,
denials, problems); tests/matrix explains the objects each scope holds.
"""

import importlib
import json
import os
import pkgutil
import re

import pytest
from django.urls import reverse

import tests.matrix
from accounts.roles import Role
from audit.models import AccessEvent, Action
from cases.models import Case
from tests.matrix import MatrixContext, reach
from tests.test_permission_matrix import MATRIX, SCOPES

MISSING_ID = 2_000_000_000
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def _scoped_rows_by_area():
    """Scoped row names per tests/matrix module: one world per area keeps the sweep fast
    (no probe changes anything: every probed object is out of the role's reach)."""
    areas = {}
    for info in pkgutil.iter_modules(tests.matrix.__path__):
        module = importlib.import_module(f"tests.matrix.{info.name}")
        names = sorted(n for n, row in getattr(module, "ROWS", {}).items() if row.scoped)
        if names:
            areas[info.name] = names
    return areas


AREAS = _scoped_rows_by_area()


class Missing:
    """Stands for an object that does not exist: the own object with an id nobody has
    (a nested URL keeps its visible parent, e.g. an order's case)."""

    def __init__(self, obj):
        self._obj = obj
        self.pk = self.id = MISSING_ID

    def __getattr__(self, name):
        return getattr(self._obj, name)


def _url(name, row, obj, ctx):
    name = name.split(" ")[0]
    if row.url is not None:
        return row.url(name, obj, ctx)
    return reverse(name, args=[obj.pk])


def _texts_of(obj):
    """What would give the object away: its reference, its name, its case's reference."""
    texts = set()
    for candidate in (obj, getattr(obj, "case", None)):
        if candidate is None:
            continue
        reference = getattr(candidate, "reference", "")
        if reference:
            texts.add(reference)
    name = getattr(obj, "name", "")
    if isinstance(name, str) and len(name) > 6:
        texts.add(name)
    return texts


def _other_partnership_texts(world):
    other = world.other_partnership_member.agency.partnership_id
    return set(Case.objects.filter(partnership_id=other).values_list("reference", flat=True))


def _body(response):
    return CSRF.sub(b"", response.content)


class Sweep:
    def __init__(self, name, world, client):
        self.name, self.world, self.client = name, world, client
        self.row = MATRIX[name]
        self.requests = self.denials = 0
        self.problems = []
        self.foreign = _other_partnership_texts(world)

    def ask(self, url):
        before = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = getattr(self.client, self.row.method)(url, self.row.data)
        self.requests += 1
        rows = list(AccessEvent.objects.filter(id__gt=before, action=Action.DENIAL))
        self.denials += len(rows)
        return response, rows

    def problem(self, role, scope, text):
        self.problems.append(f"{role}/{scope}: {text}")

    def check_denial_rows(self, role, scope, member, url, rows):
        if len(rows) != 1:
            self.problem(role, scope, f"{len(rows)} denial rows, expected 1")
            return
        row = rows[0]
        asked = set(re.findall(r"\d+", url))
        if row.actor_id != member.user_id:
            self.problem(role, scope, "denial row without the actor")
        if row.partnership_id != member.agency.partnership_id:
            self.problem(role, scope, f"denial row in partnership {row.partnership_id}")
        if row.object_type != "capability" and row.object_id not in asked:
            self.problem(role, scope, f"denial row names id {row.object_id!r}, asked {asked}")
        if row.case_id is not None and row.case.partnership_id != member.agency.partnership_id:
            self.problem(role, scope, "denial row links another partnership's case")
        text = " ".join([row.object_repr, json.dumps(row.detail), row.reason])
        leaked = {ref for ref in self.foreign if ref in text}
        if leaked:
            self.problem(role, scope, f"denial row carries {sorted(leaked)}")

    def run(self, ctx):
        row = self.row
        for role in Role.values:
            member = self.world.members[role]
            self.client.force_login(member.user)
            session = self.client.session
            session["membership_id"] = member.pk
            session.save()
            objects = SCOPES[row.scoped](ctx, role)
            probes = {
                "other_agency": objects["other_agency"],
                "other_partnership": objects["other_partnership"],
                "missing": Missing(objects["own"]),
            }
            if role in row.roles and role in reach(row):
                del probes["other_agency"]  # in scope for this role: the matrix checks it
            if role not in row.roles:
                # A capability refusal says nothing about any object: one probe (the most
                # foreign object) checks the 403 and its denial row.
                probes = {"other_partnership": probes["other_partnership"]}
            answers = {}
            for scope, obj in probes.items():
                url = _url(self.name, row, obj, ctx)
                response, rows = self.ask(url)
                answers[scope] = response
                expected = 404 if role in row.roles else row.denied
                if response.status_code != expected:
                    self.problem(role, scope, f"{response.status_code} != {expected}")
                if response.status_code in (403, 404):
                    self.check_denial_rows(role, scope, member, url, rows)
                if scope != "missing":
                    body = response.content.decode(errors="replace")
                    seen = _texts_of(obj) - _texts_of(objects["own"])
                    for text in sorted(t for t in seen if t in body):
                        self.problem(role, scope, f"body shows {text!r}")
            missing = answers.get("missing")
            for scope, response in answers.items():
                if missing is None or scope == "missing":
                    continue
                if response.status_code != missing.status_code or _body(response) != _body(missing):
                    self.problem(role, scope, "answer differs from a missing id's")
            self.client.logout()

    def report(self):
        path = os.environ.get("SWEEP_REPORT")
        if path:
            with open(path, "a") as out:
                out.write(
                    json.dumps(
                        {
                            "row": self.name,
                            "requests": self.requests,
                            "denials": self.denials,
                            "problems": len(self.problems),
                        }
                    )
                    + "\n"
                )


def test_every_scoped_row_is_swept():
    assert sum(len(names) for names in AREAS.values()) == sum(
        1 for row in MATRIX.values() if row.scoped
    )


@pytest.mark.parametrize("area", sorted(AREAS))
def test_out_of_scope_is_one_answer_and_one_denial(area, world, client):
    ctx = MatrixContext(world)
    problems = []
    for name in AREAS[area]:
        sweep = Sweep(name, world, client)
        sweep.run(ctx)
        sweep.report()
        problems += [f"{name} {problem}" for problem in sweep.problems]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
