"""Rows for the migration workspace and the bulk API (issue 13): partnership admins only."""

from django.urls import reverse

from imports.models import ImportBatch
from tests.matrix import ADMIN_ONLY, Row


def _bulk_url(name, obj, ctx):
    return reverse(name, kwargs={"kind": "people"})


ROWS = {
    "imports:list": Row(ADMIN_ONLY),
    "imports:new": Row(ADMIN_ONLY),
    "imports:new POST": Row(ADMIN_ONLY, method="post", ok=400),
    "imports:detail": Row(ADMIN_ONLY, scoped="import_batch"),
    "imports:detail POST": Row(ADMIN_ONLY, scoped="import_batch", method="post", ok=400),
    "imports:check": Row(ADMIN_ONLY, scoped="import_batch", method="post", ok=302),
    "imports:commit": Row(ADMIN_ONLY, scoped="import_batch", method="post", ok=302),
    "imports:rollback": Row(ADMIN_ONLY, scoped="import_batch", method="post", ok=302),
    "api:import-batch-list": Row(ADMIN_ONLY, anonymous=401),
    "api:import-batch-detail": Row(ADMIN_ONLY, scoped="import_batch", anonymous=401),
    "api:import-bulk-list POST": Row(
        ADMIN_ONLY, method="post", ok=400, anonymous=401, url=_bulk_url
    ),
}


def batch_scopes(ctx, role):
    world = ctx.world

    def batch(partnership, uploader, name):
        return ImportBatch.objects.create(
            partnership=partnership,
            kind="people",
            source_system="Old sheet",
            original_name=name,
            uploaded_by=uploader,
            headers=["id", "surname"],
            rows=[[2, {"id": "P1", "surname": "Smith"}]],
            columns={"external_id": "id"},
        )

    admin = world.members["partnership_admin"].user
    other = world.other_partnership_member
    return {
        "own": ctx.once("batch_own", lambda: batch(world.partnership, admin, "own.csv")),
        "other_agency": ctx.once("batch_agency", lambda: batch(world.partnership, admin, "b.csv")),
        "other_partnership": ctx.once(
            "batch_other", lambda: batch(other.agency.partnership, other.user, "theirs.csv")
        ),
    }


SCOPES = {"import_batch": batch_scopes}
