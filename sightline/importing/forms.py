from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from sightline.importing.models import ImportKind


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What does the file hold?",
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the file holds"},
    )
    file = forms.FileField(
        label="Upload a file",
        help_text=(
            "Person records: CSV. Chronology events: CSV or JSON lines (.jsonl). "
            "CIN census: the XML file. SSDA903: a .zip of its CSV tables."
        ),
        error_messages={
            "required": "Select a file to upload",
            "empty": "The selected file is empty",
        },
    )

    def clean_file(self) -> "UploadedFile[bytes]":
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        limit = settings.SIGHTLINE_UPLOAD_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; the largest file this page accepts is "
                f"{limit:,} bytes. Ask an administrator to import larger files."
            )
        return upload
