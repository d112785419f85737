"""Re-creates the mock's fixed X.509 certificates from the keys beside this file.

The keys themselves were made once with
`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`; the certificates are
self-signed with explicit validity windows (which `openssl req` 3.0 cannot set), so
tests that replay old timestamps still see a valid certificate.
Run: python3 make_certificates.py   (needs the `cryptography` package)
"""
import datetime
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID


def load_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def make(key_file, out_file, serial_hex, common_name, not_before, not_after):
    key = load_key(key_file)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "wechatpay-rs mock"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int(serial_hex, 16))
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    with open(out_file, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


utc = datetime.timezone.utc
start = datetime.datetime(2024, 1, 1, tzinfo=utc)
end = datetime.datetime(2044, 1, 1, tzinfo=utc)
make("merchant_key.pem", "merchant_cert.pem",
     "3775B6A45ACD588826D15E583A95F5DD00000000",
     "wechatpay-rs mock merchant 1900000001", start, end)
make("platform_cert_key.pem", "platform_cert.pem",
     "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
     "wechatpay-rs mock platform certificate", start, end)
# The certificate a rotation switches to, and one that expired before any test's clock.
make("platform_cert2_key.pem", "platform_cert2.pem",
     "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567",
     "wechatpay-rs mock platform certificate (rotated)", start, end)
make("platform_cert_expired_key.pem", "platform_cert_expired.pem",
     "1E2D3C4B5A69788796A5B4C3D2E1F00FEDCBA987",
     "wechatpay-rs mock platform certificate (expired)",
     datetime.datetime(2019, 1, 1, tzinfo=utc), datetime.datetime(2023, 1, 1, tzinfo=utc))
