//! Fields a request can clear: `Option<Option<T>>`, where the outer `None` leaves the field out
//! of the JSON body ("leave unchanged") and `Some(None)` sends an explicit `null` ("clear").
//!
//! serde on its own decodes a JSON `null` into the outer `None`, which would make a cleared
//! field in a response look absent; [`deserialize`] keeps the two apart. Generated code uses it
//! as `#[serde(default, skip_serializing_if = "Option::is_none", deserialize_with =
//! "jumpcloud_core::nullable::deserialize")]` on fields an overlay marks `x-clearable`.

use serde::{Deserialize, Deserializer};

/// Decodes a present field (value or `null`) as `Some(..)`; an absent field stays `None`
/// through `#[serde(default)]`.
pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq, Default)]
    struct Group {
        #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::deserialize")]
        description: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_stay_apart() {
        let absent: Group = serde_json::from_str("{}").unwrap();
        let null: Group = serde_json::from_str(r#"{"description": null}"#).unwrap();
        let value: Group = serde_json::from_str(r#"{"description": "x"}"#).unwrap();
        assert_eq!(absent.description, None);
        assert_eq!(null.description, Some(None));
        assert_eq!(value.description, Some(Some("x".to_owned())));
        assert_eq!(serde_json::to_string(&absent).unwrap(), "{}");
        assert_eq!(serde_json::to_string(&null).unwrap(), r#"{"description":null}"#);
        assert_eq!(serde_json::to_string(&value).unwrap(), r#"{"description":"x"}"#);
    }
}
