//! Checks of OpenSSL-style TLS settings that HAProxy hands to OpenSSL at
//! start. harp terminates TLS with rustls, but reads the same strings, so
//! it must reject what OpenSSL rejects: a cipher list from which no cipher
//! can be selected (e.g. RHEL's `PROFILE=SYSTEM` on other systems).

/// Cipher-string keywords OpenSSL knows (ciphers(1), "CIPHER STRINGS").
const ALIASES: &[&str] = &[
    "ALL",
    "COMPLEMENTOFALL",
    "COMPLEMENTOFDEFAULT",
    "DEFAULT",
    "HIGH",
    "MEDIUM",
    "LOW",
    "eNULL",
    "NULL",
    "aNULL",
    "kRSA",
    "aRSA",
    "RSA",
    "kDHr",
    "kDHd",
    "kDH",
    "kDHE",
    "kEDH",
    "DH",
    "DHE",
    "EDH",
    "ADH",
    "kEECDH",
    "kECDHE",
    "ECDH",
    "ECDHE",
    "EECDH",
    "AECDH",
    "aDSS",
    "DSS",
    "aDH",
    "aECDSA",
    "ECDSA",
    "TLSv1.2",
    "TLSv1.0",
    "TLSv1",
    "SSLv3",
    "AES128",
    "AES256",
    "AES",
    "AESGCM",
    "AESCCM",
    "AESCCM8",
    "ARIA128",
    "ARIA256",
    "ARIA",
    "ARIAGCM",
    "CAMELLIA128",
    "CAMELLIA256",
    "CAMELLIA",
    "CHACHA20",
    "3DES",
    "DES",
    "RC4",
    "RC2",
    "IDEA",
    "SEED",
    "MD5",
    "SHA1",
    "SHA",
    "SHA256",
    "SHA384",
    "aGOST",
    "aGOST01",
    "kGOST",
    "GOST94",
    "GOST89MAC",
    "kPSK",
    "kECDHEPSK",
    "kDHEPSK",
    "kRSAPSK",
    "aPSK",
    "PSK",
    "ECDHEPSK",
    "DHEPSK",
    "RSAPSK",
    "SUITEB128",
    "SUITEB128ONLY",
    "SUITEB192",
    "kSRP",
    "aSRP",
    "SRP",
    "CBC",
    "EXPORT",
    "EXP",
    "kECDH",
    "aECDH",
    "EXPORT40",
    "EXPORT56",
    "FIPS",
];

/// Tokens that make up full cipher names (`ECDHE-RSA-AES128-GCM-SHA256`).
const NAME_TOKENS: &[&str] = &[
    "ECDHE",
    "DHE",
    "EDH",
    "ADH",
    "AECDH",
    "ECDH",
    "RSA",
    "ECDSA",
    "DSS",
    "PSK",
    "SRP",
    "AES128",
    "AES256",
    "AES",
    "GCM",
    "CCM",
    "CCM8",
    "CBC",
    "CBC3",
    "SHA",
    "SHA256",
    "SHA384",
    "CHACHA20",
    "POLY1305",
    "CAMELLIA128",
    "CAMELLIA256",
    "ARIA128",
    "ARIA256",
    "DES",
    "RC4",
    "MD5",
    "NULL",
    "SEED",
    "IDEA",
    "GOST2001",
    "GOST89",
    "GOST94",
    "EXP",
    "RC2",
    "3DES",
    "EDE",
];

fn known_element(e: &str) -> bool {
    if e.starts_with('@') {
        return true; // @STRENGTH, @SECLEVEL=n
    }
    if e.contains('+') {
        return e.split('+').all(|p| ALIASES.contains(&p));
    }
    if ALIASES.contains(&e) {
        return true;
    }
    let parts: Vec<&str> = e.split('-').collect();
    parts.len() > 1 && parts.iter().all(|p| NAME_TOKENS.contains(p))
}

/// Whether OpenSSL could select at least one cipher from `list`.
pub fn cipher_list_usable(list: &str) -> bool {
    list.split([':', ',', ' '])
        .filter(|e| !e.is_empty())
        .filter(|e| !e.starts_with('!') && !e.starts_with('-'))
        .map(|e| e.trim_start_matches('+'))
        .any(|e| !e.starts_with('@') && known_element(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cipher_lists() {
        assert!(cipher_list_usable(
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
        ));
        assert!(cipher_list_usable("HIGH:!aNULL:!MD5"));
        assert!(cipher_list_usable(
            "kEECDH+aRSA+AES:kRSA+AES:+AES256:!aNULL"
        ));
        assert!(cipher_list_usable(
            "ECDHE-RSA-CHACHA20-POLY1305:@SECLEVEL=1"
        ));
        assert!(!cipher_list_usable("PROFILE=SYSTEM"));
        assert!(!cipher_list_usable("!HIGH"));
        assert!(!cipher_list_usable("FOO-BAR"));
    }
}
