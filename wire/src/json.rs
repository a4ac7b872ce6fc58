//! serde helpers for Go's `encoding/json` output.

use serde::{Deserialize, Deserializer};

/// Go renders nil slices and maps as `null`; read `null` (or a missing key, with
/// `#[serde(default)]`) as the empty value.
pub fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
