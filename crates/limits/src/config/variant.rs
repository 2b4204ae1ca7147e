//! Deserializing the enums written as a bare word or a one-entry map (`{gcra: {...}}`).
//!
//! serde_yaml_ng reads externally tagged enums only from YAML tags (`!gcra`); the config
//! uses the map form, which reads naturally and matches JSON, so these visitors accept it.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::{AlgorithmConfig, GcraConfig, KeySourceConfig, QuotaConfig};

const KEY_SOURCES: &[&str] =
    &["client_ip", "claim", "subject", "api_key", "principal", "header", "route"];

const ALGORITHMS: &[&str] = &["gcra", "quota"];

struct KeySourceVisitor;

impl<'de> Visitor<'de> for KeySourceVisitor {
    type Value = KeySourceConfig;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key source such as client_ip, {claim: NAME} or {header: NAME}")
    }

    fn visit_str<E: de::Error>(self, word: &str) -> Result<Self::Value, E> {
        match word {
            "client_ip" => Ok(KeySourceConfig::ClientIp),
            "subject" => Ok(KeySourceConfig::Subject),
            "api_key" => Ok(KeySourceConfig::ApiKey),
            "principal" => Ok(KeySourceConfig::Principal),
            "route" => Ok(KeySourceConfig::Route),
            "claim" | "header" => Err(E::custom(format!("{word} needs a name: {{{word}: NAME}}"))),
            other => Err(E::unknown_variant(other, KEY_SOURCES)),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let word: String = map.next_key()?.ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let source = match word.as_str() {
            "claim" => KeySourceConfig::Claim(map.next_value()?),
            "header" => KeySourceConfig::Header(map.next_value()?),
            other => return Err(de::Error::unknown_variant(other, &["claim", "header"])),
        };
        if map.next_key::<String>()?.is_some() {
            return Err(de::Error::custom("a key source map has exactly one entry"));
        }
        Ok(source)
    }
}

impl<'de> Deserialize<'de> for KeySourceConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KeySourceVisitor)
    }
}

struct AlgorithmVisitor;

impl<'de> Visitor<'de> for AlgorithmVisitor {
    type Value = AlgorithmConfig;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{gcra: {rate, per, burst}} or {quota: {limit, period, offset}}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let word: String = map.next_key()?.ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let algorithm = match word.as_str() {
            "gcra" => AlgorithmConfig::Gcra(map.next_value::<GcraConfig>()?),
            "quota" => AlgorithmConfig::Quota(map.next_value::<QuotaConfig>()?),
            other => return Err(de::Error::unknown_variant(other, ALGORITHMS)),
        };
        if map.next_key::<String>()?.is_some() {
            return Err(de::Error::custom("an algorithm map has exactly one entry"));
        }
        Ok(algorithm)
    }
}

impl<'de> Deserialize<'de> for AlgorithmConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AlgorithmVisitor)
    }
}
