"""Files: documents and photos the bot sends, getFile, and the download route."""

from __future__ import annotations

import mimetypes
import struct

from aiohttp import web

from bot.web.botapi.entities import caption_of
from bot.web.botapi.errors import ApiError, JSONDict, bad_request
from bot.web.botapi.keyboards import validate_markup
from bot.web.botapi.params import Upload
from bot.web.botapi.state import BotApiState

MAX_UPLOAD = 50 * 1024 * 1024
MAX_PHOTO = 10 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024


def image_size(content: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG, or None when it is neither."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if not content.startswith(b"\xff\xd8"):
        return None
    i = 2
    while i + 9 <= len(content):
        if content[i] != 0xFF:
            return None
        marker = content[i + 1]
        (length,) = struct.unpack(">H", content[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", content[i + 5 : i + 9])
            return int(width), int(height)
        i += 2 + length
    return None


class FileMethods(BotApiState):
    """sendDocument, sendPhoto, getFile and the /file route."""

    def _send_document(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params, sending=True)
        document = params.get("document")
        if isinstance(document, Upload):
            if not document.content:
                raise bad_request("file must be non-empty")
            if len(document.content) > MAX_UPLOAD:
                raise ApiError(413, "Request Entity Too Large")
            mime = document.mime_type
            if mime == "application/octet-stream":
                mime = mimetypes.guess_type(document.filename)[0] or mime
            stored = self._store_file(document.filename, document.content, mime)
        elif isinstance(document, str) and document in self._files:
            stored = self._files[document]
        elif isinstance(document, str) and document:
            raise bad_request("wrong file identifier/HTTP URL specified")
        else:
            raise bad_request("there is no document in the request")
        caption, caption_entities = caption_of(params)
        markup = validate_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        message = self._new_message(
            chat,
            from_bot=True,
            from_id=self.bot_id,
            text=None,
            document=self._document_api(stored),
            document_content=stored.content,
            caption=caption,
            caption_entities=caption_entities,
            raw_text=params.get("caption"),
            parse_mode=params.get("parse_mode") or None,
            reply_markup=markup,
            reply_to_message_id=reply_to,
        )
        return self._message_api(message)

    def _send_photo(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params, sending=True)
        photo = params.get("photo")
        if isinstance(photo, Upload):
            if not photo.content:
                raise bad_request("file must be non-empty")
            if len(photo.content) > MAX_PHOTO:
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            size = image_size(photo.content)
            if size is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            mime = "image/png" if photo.content.startswith(b"\x89PNG") else "image/jpeg"
            stored = self._store_file(photo.filename, photo.content, mime, "photos")
        elif isinstance(photo, str) and photo in self._files:
            stored = self._files[photo]
            size = image_size(stored.content) or (0, 0)
        elif isinstance(photo, str) and photo:
            raise bad_request("wrong file identifier/HTTP URL specified")
        else:
            raise bad_request("there is no photo in the request")
        caption, caption_entities = caption_of(params)
        message = self._new_message(
            chat,
            from_bot=True,
            from_id=self.bot_id,
            text=None,
            photo=[
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": size[0],
                    "height": size[1],
                    "file_size": len(stored.content),
                }
            ],
            document_content=stored.content,
            caption=caption,
            caption_entities=caption_entities,
            raw_text=params.get("caption"),
            parse_mode=params.get("parse_mode") or None,
            reply_markup=validate_markup(params.get("reply_markup")),
            reply_to_message_id=self._reply_to(chat, params),
        )
        return self._message_api(message)

    def _get_file(self, params: JSONDict) -> JSONDict:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _download(self, token: str, path: str) -> web.Response:
        if token != self.token:
            return ApiError(401, "Unauthorized").response()
        stored = self._files_by_path.get(path)
        if stored is None:
            return ApiError(404, "Not Found").response()
        return web.Response(body=stored.content, content_type=stored.mime_type)
