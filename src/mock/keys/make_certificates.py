"""Re-creates the mock's fixed X.509 certificates from the keys beside this file.

The RSA keys were made once with
`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`; the P-256 keys of the TLS
fixtures (the sandbox CA, its server certificate, and the "other CA" and its client
certificate) are made by this script when missing and kept afterwards. The certificates
have explicit validity windows (which `openssl req` 3.0 cannot set), so tests that replay
old timestamps still see a valid certificate.

- The platform certificates are self-signed.
- The sandbox CA (`sandbox_ca.pem`) issues the TLS server certificate of the mock's TLS
  mode (`sandbox_server.pem`, for 127.0.0.1 and localhost) and the merchant API
  certificate (`merchant_cert.pem`: same key, serial and validity as before, now usable as
  a TLS client certificate).
- Another CA issues `other_ca_client.pem`, a client certificate the sandbox must refuse.

Run: python3 make_certificates.py   (needs the `cryptography` package)
"""
import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

utc = datetime.timezone.utc
START = datetime.datetime(2024, 1, 1, tzinfo=utc)
END = datetime.datetime(2044, 1, 1, tzinfo=utc)


def load_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def p256_key(path):
    """The P-256 key at `path`, made (PKCS#8 PEM) when missing."""
    if not os.path.exists(path):
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        with open(path, "wb") as f:
            f.write(pem)
    return load_key(path)


def name(common_name):
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "wechatpay-rs mock"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def write(cert, out_file):
    with open(out_file, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def self_signed(key_file, out_file, serial_hex, common_name, not_before, not_after):
    key = load_key(key_file)
    subject = name(common_name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(int(serial_hex, 16))
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    write(cert, out_file)


def make_ca(key_file, out_file, serial, common_name):
    """A certificate authority: self-signed, allowed to issue end-entity certificates only."""
    key = p256_key(key_file)
    subject = name(common_name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(START)
        .not_valid_after(END)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write(cert, out_file)
    return key, cert


def issue(ca, subject_key, out_file, serial, common_name, usage, names=None, not_before=START, not_after=END):
    """An end-entity certificate issued by `ca` for `usage` (an extended key usage OID)."""
    ca_key, ca_cert = ca
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(common_name))
        .issuer_name(ca_cert.subject)
        .public_key(subject_key.public_key())
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False,
                # RSA keys also encipher (TLS 1.2 RSA key exchange); P-256 keys only sign.
                key_encipherment=isinstance(subject_key, rsa.RSAPrivateKey),
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    write(builder.sign(ca_key, hashes.SHA256()), out_file)


# The platform's certificates: self-signed, as before.
self_signed("platform_cert_key.pem", "platform_cert.pem",
            "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
            "wechatpay-rs mock platform certificate", START, END)
# The certificate a rotation switches to, and one that expired before any test's clock.
self_signed("platform_cert2_key.pem", "platform_cert2.pem",
            "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567",
            "wechatpay-rs mock platform certificate (rotated)", START, END)
self_signed("platform_cert_expired_key.pem", "platform_cert_expired.pem",
            "1E2D3C4B5A69788796A5B4C3D2E1F00FEDCBA987",
            "wechatpay-rs mock platform certificate (expired)",
            datetime.datetime(2019, 1, 1, tzinfo=utc), datetime.datetime(2023, 1, 1, tzinfo=utc))

# The sandbox CA, and what it issues: the TLS server certificate and the merchant's API
# certificate (key, serial, subject and validity unchanged: only the issuer is new).
sandbox_ca = make_ca("sandbox_ca_key.pem", "sandbox_ca.pem", 0x5A4D0C4A00000001,
                     "wechatpay-rs mock sandbox CA (TEST ONLY)")
issue(sandbox_ca, p256_key("sandbox_server_key.pem"), "sandbox_server.pem", 0x5A4D0C4A00000002,
      "wechatpay-rs mock sandbox server", ExtendedKeyUsageOID.SERVER_AUTH,
      names=[x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
issue(sandbox_ca, load_key("merchant_key.pem"), "merchant_cert.pem",
      0x3775B6A45ACD588826D15E583A95F5DD00000000,
      "wechatpay-rs mock merchant 1900000001", ExtendedKeyUsageOID.CLIENT_AUTH)

# A CA the sandbox does not trust, and a client certificate it issued.
other_ca = make_ca("other_ca_key.pem", "other_ca.pem", 0x07E4CA0000000001,
                   "wechatpay-rs mock other CA (TEST ONLY)")
issue(other_ca, p256_key("other_ca_client_key.pem"), "other_ca_client.pem", 0x07E4CA0000000002,
      "wechatpay-rs mock merchant 1900000001 (other CA)", ExtendedKeyUsageOID.CLIENT_AUTH)
# The merchant's own key certified by that CA: what a client configured with the wrong
# certificate presents (the crate's client needs an RSA merchant key).
issue(other_ca, load_key("merchant_key.pem"), "other_ca_merchant_cert.pem", 0x07E4CA0000000003,
      "wechatpay-rs mock merchant 1900000001 (other CA)", ExtendedKeyUsageOID.CLIENT_AUTH)
