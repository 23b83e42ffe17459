"""TOTP enrolment and verification on top of django-otp."""

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action
from audit.services import record_event


def pending_device(user):
    """The unconfirmed device being enrolled, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def secret_base32(device):
    return base64.b32encode(device.bin_key).decode()


def qr_svg(device):
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def confirm_enrolment(*, request, device, token):
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
        otp_login(request, device)
        record_event(action=Action.UPDATE, actor=device.user, detail={"two_factor": "enrolled"})
    return True


def verify(*, request, token):
    for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
        if device.verify_token(token):
            otp_login(request, device)
            return True
    record_event(
        action=Action.FAILED_SIGN_IN, actor=request.user, detail={"two_factor": "wrong code"}
    )
    return False
