"""WS-Security signature on every response (docs/design.md §8 Signing), made with signxml.

The gateway hands every outgoing envelope (success, errorRecord, fault) to ``ResponseSigner.sign``:

    <soap:Header>
      <wsse:Security>                                  (no mustUnderstand)
        <wsu:Timestamp wsu:Id="Timestamp"> Created, Expires </wsu:Timestamp>
        <wsse:BinarySecurityToken wsu:Id="X509Token" ValueType="…#X509v3"> certificate </…>
        <ds:Signature> exclusive C14N, RSA-SHA256 or ECDSA-SHA256, a SHA-256 Reference to
          #Timestamp and one to #Body, KeyInfo → SecurityTokenReference → #X509Token </ds:Signature>
      </wsse:Security>
    </soap:Header>
    <soap:Body wsu:Id="Body"> … </soap:Body>

The key comes from provider.xml.keys (a KeyStore: loaded once, re-read when its files change, refusing
while they cannot be read, so the gateway answers faults, never unsigned data). The envelope is parsed
once, signed in place (signxml's default copy-by-reserialization is skipped: the tree is ours and only
read), and serialized once, never pretty-printed after signing.
"""
from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureConstructionMethod, SignatureMethod
from signxml.signer import XMLSigner

from provider.xml import namespaces as ns
from provider.xml.keys import KeyStore, SigningKey
from provider.xml.parse import parse_trusted

BODY_ID = "Body"
TIMESTAMP_ID = "Timestamp"
TOKEN_ID = "X509Token"

_ENV = f"{{{ns.SOAP11_ENV}}}"
_WSSE = f"{{{ns.WSSE}}}"
_WSU = f"{{{ns.WSU}}}"
_DS = f"{{{ns.DS}}}"
_WSU_ID = f"{_WSU}Id"


def wsu_time(moment: dt.datetime) -> str:
    """xsd:dateTime in UTC with milliseconds, as WS-Security timestamps are written."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class _InPlaceSigner(XMLSigner):
    """Two shortcuts over signxml's general path, both safe for a tree we just built ourselves:

    - signxml re-serializes and re-parses an element before signing it, to isolate it from its
      parents' namespaces. A detached signature only reads the tree, and exclusive C14N ignores
      inherited namespaces, so the copy buys nothing: the caller's tree is signed directly.
    - signxml finds each reference with an XPath over every attribute of the document; we hold
      the two elements already.
    """

    def __init__(self, targets: dict[str, etree._Element], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._targets = targets

    def get_root(self, data: Any) -> Any:
        if isinstance(data, etree._Element):
            return data
        return super().get_root(data)  # type: ignore[no-untyped-call]  # signxml leaves get_root unannotated

    def _resolve_reference(self, doc_root: Any, reference: Any, uri_resolver: Any = None) -> Any:
        return self._targets[reference.get("URI")]


class ResponseSigner:
    def __init__(self, key: SigningKey | KeyStore, ttl_seconds: int = 300) -> None:
        self._store = key if isinstance(key, KeyStore) else None
        self._fixed = key if isinstance(key, SigningKey) else None
        self.ttl = dt.timedelta(seconds=ttl_seconds)

    def ready(self) -> SigningKey:
        """The key the next signature will use; KeyConfigError when there is none that can be used."""
        return self._store.current() if self._store is not None else self._fixed  # type: ignore[return-value]

    def sign(self, envelope: bytes, now: dt.datetime | None = None) -> bytes:
        """Return ``envelope`` (a SOAP 1.1 envelope we wrote) with the WS-Security signature added."""
        return self.sign_tree(parse_trusted(envelope), now)

    def sign_tree(self, root: etree._Element, now: dt.datetime | None = None) -> bytes:
        key = self.ready()
        now = now or dt.datetime.now(dt.UTC)
        body = root.find(_ENV + "Body")
        if body is None:
            raise ValueError("not a SOAP 1.1 envelope with a Body")
        header = root.find(_ENV + "Header")
        if header is None:
            header = etree.Element(_ENV + "Header")
            body.addprevious(header)
        body.set(_WSU_ID, BODY_ID)
        security = etree.SubElement(header, _WSSE + "Security", nsmap={"wsse": ns.WSSE, "wsu": ns.WSU})
        timestamp = etree.SubElement(security, _WSU + "Timestamp", {_WSU_ID: TIMESTAMP_ID})
        etree.SubElement(timestamp, _WSU + "Created").text = wsu_time(now)
        etree.SubElement(timestamp, _WSU + "Expires").text = wsu_time(now + self.ttl)
        token = etree.SubElement(
            security,
            _WSSE + "BinarySecurityToken",
            {"EncodingType": ns.WSSE_BASE64, "ValueType": ns.WSSE_X509V3, _WSU_ID: TOKEN_ID},
        )
        token.text = base64.b64encode(key.certificate_der).decode("ascii")
        etree.cleanup_namespaces(root, top_nsmap={"wsu": ns.WSU})  # one wsu prefix, on the Envelope
        signature = _InPlaceSigner(
            {f"#{TIMESTAMP_ID}": timestamp, f"#{BODY_ID}": body},
            method=SignatureConstructionMethod.detached,
            signature_algorithm=SignatureMethod(key.algorithm.value),
            digest_algorithm=DigestAlgorithm.SHA256,
            c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
        ).sign(
            root,
            key=key.private_key,
            reference_uri=[f"#{TIMESTAMP_ID}", f"#{BODY_ID}"],
            key_info=self._key_info(),
        )
        security.append(signature)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    @staticmethod
    def _key_info() -> etree._Element:
        key_info = etree.Element(_DS + "KeyInfo", nsmap={"ds": ns.DS})
        reference_holder = etree.SubElement(key_info, _WSSE + "SecurityTokenReference", nsmap={"wsse": ns.WSSE})
        etree.SubElement(reference_holder, _WSSE + "Reference", URI=f"#{TOKEN_ID}", ValueType=ns.WSSE_X509V3)
        return key_info
