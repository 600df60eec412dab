//! Which server certificates the helper accepts, per connection:
//! - no pin: a chain to Mozilla's roots (compiled in) or to the operating
//!   system's store (rustls-platform-verifier: on Linux the distribution's
//!   bundle, or `SSL_CERT_FILE`/`SSL_CERT_DIR`), valid for the host name;
//! - a pin (`pinnedSpki`, the base64 SHA-256 of the leaf's
//!   SubjectPublicKeyInfo, which the user accepted after reviewing it):
//!   exactly a leaf with that key, whatever its chain; any other leaf is
//!   `certificateChanged`;
//! - the old `trustAnyCertificate`, kept for one version so accounts that
//!   have it can move to a pin: any leaf, reported so the worker pins it,
//!   with whether it would have verified without (then nothing needs a pin).
//!
//! In every case the handshake signatures are verified against the leaf's
//! key, so the session is encrypted to the holder of that key. What the
//! verifier saw is kept for the reply: the leaf to review on a refusal, and
//! on success the pin of the key that was accepted.

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

/// A server certificate as the user reviews it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Certificate {
    pub subject: String,
    pub issuer: String,
    /// RFC 2822 dates ("Fri, 04 Dec 2026 20:24:18 +0000").
    pub not_before: String,
    pub not_after: String,
    /// Base64 of the SHA-256 of the SubjectPublicKeyInfo: the pin.
    pub spki_sha256: String,
}

/// The base64 SHA-256 of the certificate's SubjectPublicKeyInfo, the form
/// `pinnedSpki` takes (as in HPKP's pin-sha256 and Chromium's
/// `--ignore-certificate-errors-spki-list`). None when it does not parse.
pub fn spki_pin(der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(b64(&Sha256::digest(cert.tbs_certificate.subject_pki.raw)))
}

/// What the user needs to decide about `der`.
pub fn describe(der: &[u8]) -> Option<Certificate> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let date = |t: x509_parser::time::ASN1Time| t.to_rfc2822().unwrap_or_else(|_| t.to_string());
    let validity = cert.validity();
    Some(Certificate {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_before: date(validity.not_before),
        not_after: date(validity.not_after),
        spki_sha256: b64(&Sha256::digest(cert.tbs_certificate.subject_pki.raw)),
    })
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The account's rule for this connection (from the request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Policy {
    Verified,
    /// The base64 SPKI SHA-256 the user accepted.
    Pinned(String),
    /// The deprecated `trustAnyCertificate`: accepted once more, to pin.
    AnyToMigrate,
}

/// What the verifier decided about the leaf it was shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// No pin, and neither store vouches for it; the reason in rustls' words.
    Untrusted(String),
    /// Pinned, and this leaf has another key.
    Changed,
}

/// What the verifier saw in the last handshake: the leaf, the verdict, and
/// whether it chains to a trusted root for the host name (None: not asked,
/// because a pin decided).
#[derive(Debug)]
pub struct Sight {
    pub leaf: CertificateDer<'static>,
    pub verdict: Verdict,
    pub chain_verified: Option<bool>,
}

pub type Seen = Arc<Mutex<Option<Sight>>>;

#[derive(Debug)]
pub struct Verifier {
    policy: Policy,
    /// Mozilla's roots (or a test's own).
    public: Arc<WebPkiServerVerifier>,
    provider: Arc<CryptoProvider>,
    pub seen: Seen,
}

impl Verifier {
    pub fn new(
        policy: Policy,
        roots: RootCertStore,
        provider: Arc<CryptoProvider>,
    ) -> Result<Verifier, String> {
        let public = WebPkiServerVerifier::builder_with_provider(roots.into(), provider.clone())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Verifier {
            policy,
            public,
            provider,
            seen: Seen::default(),
        })
    }

    fn chain_verdict(
        &self,
        leaf: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Verdict {
        let public = self
            .public
            .verify_server_cert(leaf, intermediates, name, ocsp, now);
        let Err(public_error) = public else {
            return Verdict::Accepted;
        };
        // Loaded per connection, so a CA added to the system is seen at once.
        // No system store at all leaves the public roots' answer.
        let system = rustls_platform_verifier::Verifier::new(self.provider.clone())
            .map_err(|_| public_error)
            .and_then(|v| v.verify_server_cert(leaf, intermediates, name, ocsp, now));
        match system {
            Ok(_) => Verdict::Accepted,
            Err(e) => Verdict::Untrusted(e.to_string()),
        }
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        leaf: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let (verdict, chain_verified) = match &self.policy {
            Policy::Pinned(pin) if spki_pin(leaf).as_deref() == Some(pin.as_str()) => {
                (Verdict::Accepted, None)
            }
            Policy::Pinned(_) => (Verdict::Changed, None),
            Policy::AnyToMigrate => {
                let chain = self.chain_verdict(leaf, intermediates, name, ocsp, now);
                (Verdict::Accepted, Some(chain == Verdict::Accepted))
            }
            Policy::Verified => {
                let chain = self.chain_verdict(leaf, intermediates, name, ocsp, now);
                let ok = chain == Verdict::Accepted;
                (chain, Some(ok))
            }
        };
        let result = match &verdict {
            Verdict::Accepted => Ok(ServerCertVerified::assertion()),
            Verdict::Changed => Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            )),
            Verdict::Untrusted(_) => Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            )),
        };
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(Sight {
            leaf: leaf.clone().into_owned(),
            verdict,
            chain_verified,
        });
        result
    }

    fn verify_tls12_signature(
        &self,
        msg: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            msg,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        msg: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            msg,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
