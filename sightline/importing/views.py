"""The upload page: check a file (a dry run), then commit exactly the bytes checked."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sightline.accounts.models import User
from sightline.audit.actions import Origin
from sightline.importing.access import access_pending_upload, may_use_upload_page
from sightline.importing.actions import ImportReport, check_upload, commit_upload
from sightline.importing.forms import UploadForm
from sightline.importing.models import ImportKind, PendingUpload
from sightline.importing.queries import batches_visible_to

# Rows of the error table shown; the count of the rest is given.
ERROR_TABLE_LIMIT = 1000
RECENT_BATCHES = 20


def _submitter(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not may_use_upload_page(user):
        raise PermissionDenied("You do not submit records for an agency")
    return user


def _report_page(
    request: HttpRequest, report: ImportReport, pending: PendingUpload | None
) -> HttpResponse:
    return render(
        request,
        "importing/check.html",
        {
            "report": report,
            "pending": pending,
            "errors": report.errors[:ERROR_TABLE_LIMIT],
            "more_errors": max(0, len(report.errors) - ERROR_TABLE_LIMIT),
            "is_people": report.kind == ImportKind.PEOPLE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    user = _submitter(request)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            report, pending = check_upload(
                actor=user,
                kind=ImportKind(form.cleaned_data["kind"]),
                content=b"".join(uploaded.chunks()),
                filename=(uploaded.name or "upload").rsplit("/", 1)[-1][:255],
                origin=Origin.from_request(request),
            )
            return _report_page(request, report, pending)
    else:
        form = UploadForm()
    return render(
        request,
        "importing/upload.html",
        {
            "form": form,
            "batches": batches_visible_to(user)[:RECENT_BATCHES],
            "max_bytes": settings.SIGHTLINE_UPLOAD_MAX_BYTES,
        },
    )


@login_required
@require_POST
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _submitter(request)
    pending = access_pending_upload(user, pk)
    report = commit_upload(actor=user, upload=pending, origin=Origin.from_request(request))
    if not report.ok or report.batch is None:
        # The data changed since the check (e.g. a record it refers to went): say what.
        return _report_page(request, report, None)
    return redirect("importing-batch", pk=report.batch.pk)


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not isinstance(user, User):
        raise Http404("No such import")
    batch = batches_visible_to(user).filter(pk=pk).first()
    if batch is None:
        raise Http404("No such import")
    return render(request, "importing/batch.html", {"batch": batch})
