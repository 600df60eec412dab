//! The sandbox's TLS identity: a fresh self-signed certificate per run whose SANs list
//! every fake host, and the SPKI hash Chromium's `--ignore-certificate-errors-spki-list`
//! takes to trust it (narrowly: only this key, only for this run).

use std::error::Error;
use std::sync::Arc;

use base64::Engine;
use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, KeyPair, PublicKeyData,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};

pub struct Identity {
    pub server_config: Arc<ServerConfig>,
    pub certificate: CertificateDer<'static>,
    /// base64(SHA-256(SubjectPublicKeyInfo DER)).
    pub spki_sha256: String,
}

impl Identity {
    /// ECDSA P-256 key, valid from yesterday for 30 days (short, like a real leaf).
    pub fn generate(hosts: &[&str]) -> Result<Identity, Box<dyn Error>> {
        let key = KeyPair::generate()?;
        let mut params =
            CertificateParams::new(hosts.iter().map(|h| h.to_string()).collect::<Vec<_>>())?;
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "Inlay sandbox");
        name.push(DnType::OrganizationName, "Inlay end-to-end tests");
        params.distinguished_name = name;
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::days(1);
        params.not_after = now + time::Duration::days(30);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let certificate = params.self_signed(&key)?.der().clone();

        let spki_sha256 = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(key.subject_public_key_info()));
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![certificate.clone()], key_der)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Identity {
            server_config: Arc::new(config),
            certificate,
            spki_sha256,
        })
    }
}

/// The SubjectPublicKeyInfo (whole DER element) inside an X.509 certificate.
///
/// Walks the DER by hand: Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version
/// OPTIONAL, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, … } … }.
/// Tests use it to check the printed hash against what a client actually receives.
pub fn spki_of_certificate(cert_der: &[u8]) -> Option<&[u8]> {
    let (_, certificate, _) = der_element(cert_der)?;
    let (_, mut rest, _) = der_element(certificate)?; // tbsCertificate comes first
    let mut index = 0;
    loop {
        let (element, _, tag) = der_element(rest)?;
        rest = &rest[element.len()..];
        if index == 0 && tag == 0xa0 {
            continue; // explicit [0] version
        }
        if index == 5 {
            return Some(element);
        }
        index += 1;
    }
}

/// Splits off the first DER element: (whole element, its content, its tag).
fn der_element(input: &[u8]) -> Option<(&[u8], &[u8], u8)> {
    let tag = *input.first()?;
    let first = *input.get(1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let len = input
            .get(2..2 + n)?
            .iter()
            .fold(0usize, |acc, &b| acc << 8 | b as usize);
        (len, 2 + n)
    };
    let element = input.get(..header + len)?;
    Some((element, &element[header..], tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_hash_is_the_certificates_spki() {
        let id = Identity::generate(&["mail.google.com", "dns.google"]).unwrap();
        let spki = spki_of_certificate(&id.certificate).expect("SPKI found");
        assert_eq!(spki[0], 0x30, "SPKI is a SEQUENCE");
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki));
        assert_eq!(hash, id.spki_sha256);
    }

    #[test]
    fn every_host_is_a_valid_name() {
        let hosts = crate::hosts::names();
        let id = Identity::generate(&hosts).unwrap();
        let cert = webpki::EndEntityCert::try_from(&id.certificate).unwrap();
        for host in hosts {
            let name = rustls::pki_types::ServerName::try_from(host).unwrap();
            cert.verify_is_valid_for_subject_name(&name)
                .unwrap_or_else(|e| panic!("{host}: {e:?}"));
        }
        let other = rustls::pki_types::ServerName::try_from("example.com").unwrap();
        assert!(cert.verify_is_valid_for_subject_name(&other).is_err());
    }
}
