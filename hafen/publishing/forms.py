"""All input of public communication is validated here; messages through gettext."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import User
from hafen.publishing import images, newsletter
from hafen.publishing.actions.errors import PublishingError
from hafen.publishing.delivery import OFFERED_KINDS
from hafen.publishing.models import (
    MAX_COMMENT_CHARS,
    MAX_JUSTIFICATION_CHARS,
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    Campaign,
    Channel,
)

MAX_GUIDELINE_CHARS = 50_000


class PlannedInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class PostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE_CHARS)
    text = forms.CharField(
        label=_("Text"),
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={
            "max_length": _("The text is too long: at most %(limit_value)d characters.")
        },
        help_text=_("Every save keeps the previous wording in the version history."),
    )
    channels = forms.ModelMultipleChoiceField(
        label=_("Channels"),
        queryset=Channel.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose only channels of your organisation.")},
    )
    planned_at = forms.DateTimeField(
        label=_("Planned for"),
        required=False,
        widget=PlannedInput(),
        help_text=_("Empty: published as soon as it is approved."),
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose a campaign of your organisation.")},
    )
    new_campaign = forms.CharField(label=_("Or a new campaign"), max_length=120, required=False)
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channels"].queryset = Channel.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id, active=True
        )
        self.fields["campaign"].queryset = Campaign.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id
        )

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("Please give the post a title."))
        return title

    def clean_planned_at(self) -> Any:
        planned = self.cleaned_data["planned_at"]
        unchanged = planned is not None and planned == self.initial.get("planned_at")
        if planned is not None and planned < timezone.now() and not unchanged:
            raise ValidationError(
                _("This time is in the past. Choose a time to come, or leave it empty.")
            )
        return planned


class ImageForm(forms.Form):
    image = forms.FileField(
        label=_("Image"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("What the image shows (for people who cannot see it)"), max_length=300
    )

    def clean_image(self) -> images.CheckedImage:
        return images.check(self.cleaned_data["image"])


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), max_length=MAX_COMMENT_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )


class SubmitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    justification = forms.CharField(
        label=_("Why it may be published as it is"),
        max_length=MAX_JUSTIFICATION_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only needed when the check found details that could identify a person."),
    )


class ReviewForm(forms.Form):
    APPROVE = "approve"
    SEND_BACK = "send_back"

    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (SEND_BACK, _("Send back"))])
    comment = forms.CharField(
        label=_("Comment for the author"),
        max_length=MAX_COMMENT_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you send the post back."),
    )


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(kind.value, kind.label) for kind in OFFERED_KINDS]
    )
    name = forms.CharField(label=_("Name"), max_length=120)


class ChannelEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    active = forms.BooleanField(label=_("Active: may be chosen for new posts"), required=False)


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name of the campaign"), max_length=120)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Please give the campaign a name."))
        return name


class GuidelineForm(forms.Form):
    text = forms.CharField(
        label=_("Guidelines"),
        max_length=MAX_GUIDELINE_CHARS,
        widget=forms.Textarea(attrs={"rows": 20}),
    )


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ApproverForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=User.objects.none(),
        error_messages={"invalid_choice": _("Choose a staff member of your organisation.")},
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id, is_active=True
        ).order_by("display_name", "username")


class ChannelSettingsForm(forms.Form):
    """An external channel's account settings, as its adapter declares them.

    The secret (token or password) is never shown back: left empty, the stored one
    stays. The adapter's own ``validate`` says what is wrong, in the author's words.
    """

    def __init__(self, channel: Channel, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from hafen.publishing.channels import adapter_for

        self.channel = channel
        self.declared = adapter_for(channel.kind).fields
        for declared in self.declared:
            if declared.secret:
                hint = (
                    _("Stored (ends with …%(end)s). Leave empty to keep it.")
                    % {"end": channel.secret_hint}
                    if channel.secret_hint
                    else _("Stored. Leave empty to keep it.")
                    if channel.sealed_secret
                    else str(declared.help)
                )
                self.fields[declared.name] = forms.CharField(
                    label=str(declared.label),
                    required=declared.required and not channel.sealed_secret,
                    max_length=2000,
                    strip=False,
                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                    help_text=hint,
                )
            else:
                self.fields[declared.name] = forms.CharField(
                    label=str(declared.label),
                    required=declared.required,
                    max_length=500,
                    help_text=str(declared.help),
                    initial=str(channel.config.get(declared.name, "")),
                )

    def settings(self) -> tuple[dict[str, str], str | None]:
        """(config, new secret or None to keep the stored one)."""
        config: dict[str, str] = {}
        secret: str | None = None
        for declared in self.declared:
            value = self.cleaned_data.get(declared.name) or ""
            if declared.secret:
                secret = value or None
            elif value:
                config[declared.name] = value
        return config, secret


class SubscribeForm(forms.Form):
    """The public newsletter form; the address is checked by ``newsletter.clean_address``."""

    address = forms.CharField(
        label=_("Your e-mail address"),
        max_length=320,
        error_messages={
            "required": newsletter.ADDRESS_MESSAGE,
            "max_length": newsletter.ADDRESS_MESSAGE,
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_(
            "You will receive a mail with a link to confirm. We keep nothing but the "
            "address, and you can unsubscribe with the link in every newsletter."
        ),
    )
    newsletter = forms.TypedChoiceField(label=_("Newsletter"), coerce=int, choices=())

    def __init__(self, *args: Any, channels: list[Channel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["newsletter"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(channel.pk, channel.name) for channel in channels]
        self.only = channels[0].pk if len(channels) == 1 else None
        if self.only is not None:  # one newsletter: nothing to choose
            field.initial = self.only
            field.required = False
            field.widget = forms.HiddenInput()
        else:
            field.widget = forms.RadioSelect(choices=field.choices)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.only is not None and "newsletter" not in self.errors:
            cleaned["newsletter"] = cleaned.get("newsletter") or self.only
        if self.only is not None and "newsletter" in self.errors:
            self.add_error(
                None, _("This newsletter is not offered any more. Please reload the page.")
            )
        return cleaned

    def clean_address(self) -> str:
        try:
            return newsletter.clean_address(self.cleaned_data["address"])
        except PublishingError as error:
            raise forms.ValidationError(error.message) from None
