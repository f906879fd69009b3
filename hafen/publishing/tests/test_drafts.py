"""Drafting posts: who may, versions on every save of the text, history, comments,
images, campaigns, and hostile input that changes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from hafen.privacy.models import AuditEntry
from hafen.publishing.models import (
    MAX_TEXT_CHARS,
    Campaign,
    Channel,
    ChannelKind,
    Post,
    PostImage,
    PostState,
    PostVersion,
)
from hafen.publishing.tests.conftest import browser, draft, png_upload

NEW = "/oeffentlichkeit/neu/"

pytestmark = pytest.mark.django_db


def _page(post: Post) -> str:
    return f"/oeffentlichkeit/{post.pk}/"


def _form(channel: Channel, **fields) -> dict:
    return {
        "title": "Neue Öffnungszeiten",
        "text": "Ab Montag sind wir auch abends für euch da.",
        "channels": [channel.pk],
        **fields,
    }


def test_communications_staff_write_a_draft_with_channel_campaign_and_time(comms, news):
    planned = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = browser(comms).post(
        NEW, _form(news, planned_at=planned, new_campaign="Herbstaktion")
    )

    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == _page(post)
    assert post.author == comms and post.state == PostState.DRAFT
    assert list(post.channels.all()) == [news]
    assert post.campaign == Campaign.objects.get(
        name="Herbstaktion", organisation=comms.organisation
    )
    assert post.planned_at is not None
    assert post.current_version.number == 1
    entry = AuditEntry.objects.get(action="publishing.post_created")
    assert entry.actor_id == comms.pk and "Öffnungszeiten" not in str(entry.details)


def test_a_counsellor_drafts_posts_too(counsellor, news):
    response = browser(counsellor).post(NEW, _form(news))
    assert response.status_code == 302
    assert Post.objects.get().author == counsellor


@pytest.mark.parametrize("persona", ["volunteer", "dpo", "admin_user", "outsider"])
def test_people_who_do_not_work_on_posts_see_none(persona, request, comms, news):
    post = draft(comms)
    staff = browser(request.getfixturevalue(persona))
    assert staff.get(_page(post)).status_code == 404
    assert staff.get(f"{_page(post)}versionen/").status_code == 404
    assert staff.post(f"{_page(post)}kommentar/", {"text": "Hallo"}).status_code == 404
    assert post.comments.count() == 0


def test_every_save_of_the_text_makes_a_new_version_and_the_history_shows_the_change(comms, news):
    post = draft(comms, text="Wir feiern am Samstag.")
    staff = browser(comms)

    staff.post(
        f"{_page(post)}bearbeiten/",
        _form(
            news,
            title=post.title,
            text="Wir feiern am Sonntag.",
            base_version=post.current_version_id,
        ),
    )
    post.refresh_from_db()
    assert [v.text for v in post.versions.order_by("number")] == [
        "Wir feiern am Samstag.",
        "Wir feiern am Sonntag.",
    ]
    history = staff.get(f"{_page(post)}versionen/").content.decode()
    assert "<del>Wir feiern am Samstag.</del>" in history
    assert "<ins>Wir feiern am Sonntag.</ins>" in history


def test_saving_unchanged_text_makes_no_new_version(comms, news):
    post = draft(comms)
    browser(comms).post(
        f"{_page(post)}bearbeiten/",
        _form(
            news,
            title=post.title,
            text=post.current_version.text,
            base_version=post.current_version_id,
        ),
    )
    assert post.versions.count() == 1


def test_a_version_is_never_changed():
    version = PostVersion(pk=1)
    with pytest.raises(RuntimeError):
        version.save()


def test_an_edit_from_an_outdated_version_is_refused_and_the_words_stay_in_the_form(
    comms, counsellor, news
):
    post = draft(comms)
    old = post.current_version_id
    browser(counsellor).post(
        f"{_page(post)}bearbeiten/", _form(news, title="Von Jonas", base_version=old)
    )
    response = browser(comms).post(
        f"{_page(post)}bearbeiten/",
        _form(news, title="Von Mira", text="Miras eigener Text", base_version=old),
    )
    assert response.status_code == 400
    assert "Somebody saved a newer version meanwhile" in response.content.decode()
    assert "Miras eigener Text" in response.content.decode()
    assert post.versions.count() == 2


def test_a_huge_text_is_refused_with_a_message(comms, news):
    response = browser(comms).post(NEW, _form(news, text="x" * (MAX_TEXT_CHARS + 1)))
    assert response.status_code == 400
    assert "The text is too long" in response.content.decode()
    assert Post.objects.count() == 0


def test_a_channel_of_another_organisation_is_refused(comms, news, outsider):
    foreign = Channel.objects.create(
        organisation=outsider.organisation, kind=ChannelKind.NEWS, name="Fremd"
    )
    response = browser(comms).post(NEW, _form(news, channels=[foreign.pk]))
    assert response.status_code == 400
    assert "Choose only channels of your organisation." in response.content.decode()
    assert Post.objects.count() == 0


def test_a_planned_time_in_the_past_is_refused(comms, news):
    past = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = browser(comms).post(NEW, _form(news, planned_at=past))
    assert response.status_code == 400
    assert "This time is in the past" in response.content.decode()
    assert Post.objects.count() == 0


def test_staff_comment_on_a_draft(comms, leader, news):
    post = draft(comms)
    browser(leader).post(f"{_page(post)}kommentar/", {"text": "Bitte ein Foto dazu."})
    page = browser(comms).get(_page(post)).content.decode()
    assert "Bitte ein Foto dazu." in page
    assert post.comments.get().author == leader


def test_an_image_is_checked_and_stored_and_shown_to_staff(comms, news):
    post = draft(comms)
    staff = browser(comms)
    response = staff.post(
        f"{_page(post)}bild/", {"image": png_upload(), "alt_text": "Plakat zum Fest"}
    )
    assert response.status_code == 302
    image = PostImage.objects.get()
    assert (image.content_type, image.width, image.height) == ("image/png", 8, 6)
    served = staff.get(f"{_page(post)}bild/{image.pk}/")
    assert served["Content-Type"] == "image/png"
    data = b"".join(served.streaming_content if served.streaming else [served.content])
    with Image.open(io.BytesIO(data)) as shown:  # rebuilt from its pixels, the same picture
        assert (shown.format, shown.size) == ("PNG", (8, 6))


def test_an_uploaded_photo_loses_its_location_and_camera(comms, news):
    photo = Image.new("RGB", (16, 12), "teal")
    exif = Image.Exif()
    exif[0x010F] = "Kamerahersteller"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0)}  # GPSInfo
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", exif=exif)
    assert b"Kamerahersteller" in buffer.getvalue()
    upload = SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")
    post = draft(comms)
    staff = browser(comms)
    assert (
        staff.post(f"{_page(post)}bild/", {"image": upload, "alt_text": "Hof"}).status_code == 302
    )
    image = PostImage.objects.get()
    served = staff.get(f"{_page(post)}bild/{image.pk}/")
    data = b"".join(served.streaming_content if served.streaming else [served.content])
    assert b"Kamerahersteller" not in data
    with Image.open(io.BytesIO(data)) as shown:
        assert not shown.getexif()


def test_an_image_that_lies_about_its_type_is_refused(comms, news):
    post = draft(comms)
    response = browser(comms).post(
        f"{_page(post)}bild/",
        {"image": png_upload("bild.jpg", content_type="image/jpeg"), "alt_text": "x"},
        follow=True,
    )
    assert "claims to be image/jpeg but is image/png" in response.content.decode()
    assert PostImage.objects.count() == 0


def test_a_file_that_is_no_image_is_refused(comms, news):
    post = draft(comms)
    fake = SimpleUploadedFile("bild.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = browser(comms).post(
        f"{_page(post)}bild/", {"image": fake, "alt_text": "x"}, follow=True
    )
    assert "This file is not a JPEG, PNG or WebP image" in response.content.decode()
    assert PostImage.objects.count() == 0


def test_a_too_big_image_is_refused(comms, news, monkeypatch):
    from hafen.publishing import images

    monkeypatch.setattr(images, "MAX_BYTES", 50)
    post = draft(comms)
    response = browser(comms).post(
        f"{_page(post)}bild/", {"image": png_upload(size=(64, 64)), "alt_text": "x"}, follow=True
    )
    assert "The image is too big" in response.content.decode()
    assert PostImage.objects.count() == 0


def test_the_post_page_says_when_the_check_is_not_available(comms, news, monkeypatch):
    """A failing check is never shown as a clean result."""

    def broken(*args, **kwargs):
        raise RuntimeError("the check broke")

    monkeypatch.setattr("hafen.publishing.recognisability.check_text", broken)
    post = draft(comms)
    page = browser(comms).get(_page(post)).content.decode()
    assert "The recognisability check is not available" in page


def test_the_post_list_shows_the_organisations_posts_only(comms, news, outsider):
    draft(comms, title="Unser Sommerfest")
    assert "Unser Sommerfest" in browser(comms).get("/oeffentlichkeit/").content.decode()
    assert "Unser Sommerfest" not in browser(outsider).get("/oeffentlichkeit/").content.decode()


def test_a_decompression_bomb_is_refused_before_it_is_decoded(comms, news):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(buffer, format="PNG")  # 50 megapixels, a few kB
    bomb = SimpleUploadedFile("bild.png", buffer.getvalue(), content_type="image/png")
    post = draft(comms)
    response = browser(comms).post(
        f"{_page(post)}bild/", {"image": bomb, "alt_text": "x"}, follow=True
    )
    assert "too many pixels" in response.content.decode()
    assert PostImage.objects.count() == 0


def test_an_approved_post_can_no_longer_be_changed(comms, leader, news):
    from hafen.publishing.tests.conftest import approved

    post = approved(comms, leader)
    response = browser(comms).post(
        f"{_page(post)}bearbeiten/",
        _form(news, title="Nachträglich", base_version=post.current_version_id),
    )
    assert response.status_code == 400
    assert "approved and can no longer be changed" in response.content.decode()
    assert post.versions.count() == 1


def test_the_post_list_and_calendar_need_few_queries_however_many_posts(
    comms, news, django_assert_max_num_queries
):
    for number in range(15):
        draft(comms, title=f"Beitrag {number}", planned_at=timezone.now() + timedelta(days=1))
    staff = browser(comms)
    with django_assert_max_num_queries(20):
        assert staff.get("/oeffentlichkeit/").status_code == 200
    with django_assert_max_num_queries(20):
        assert staff.get("/oeffentlichkeit/kalender/").status_code == 200
