//! The journal's decoders as the fuzz targets `journal_records` and `journal_frames` and
//! their corpus replay drive them, with the properties they must hold; re-exported by
//! [`crate::fuzzing`].

// A failed property is a panic: that is what the fuzzer reports.
#![allow(clippy::panic)]

use kms_core::Result;

use super::frame::{self, Frame};
use super::record::Record;
use super::replay::replay;
use super::root_key::{MAC_LEN, RootKey};
use crate::seed::{self, SeedFile};
use crate::state::{Identity, Keyring, Touched};

/// The journal's record decoder and frame reader under a fixed root key, so that a corpus
/// of frames and sealed materials written with [`JournalHarness::journal_of`] stays valid.
#[derive(Debug)]
pub struct JournalHarness {
    root: RootKey,
    identity: Identity,
}

/// The root key of the harness (a constant: the corpus is sealed and tagged under it).
const ROOT_KEY: [u8; 32] = [0x4b; 32];

/// The tag the harness's frames chain from (a journal's first frame chains from its
/// header's tag, which a random nonce makes different in every journal).
const FIRST_CHAIN: [u8; MAC_LEN] = [0; MAC_LEN];

impl Default for JournalHarness {
    fn default() -> Self {
        Self::new()
    }
}

impl JournalHarness {
    /// The harness.
    ///
    /// # Panics
    ///
    /// Never: the root key is a constant of the right length.
    pub fn new() -> Self {
        let root = RootKey::from_bytes(&ROOT_KEY, "the fuzzing root key")
            .unwrap_or_else(|err| panic!("the harness's root key: {err}"));
        Self {
            root,
            identity: super::super::fuzzing::identity(),
        }
    }

    /// Decodes `payload` as the records of one change, as the journal reader does, and
    /// applies them to an empty keyring. Checks that decoded records encode to records that
    /// decode to the same encoding, and that the keys and aliases they made, recorded again,
    /// apply again to the same keys and aliases. Returns whether the records applied.
    ///
    /// # Panics
    ///
    /// When a property does not hold: that is the finding the fuzzer reports.
    pub fn check_records(&self, payload: &[u8]) -> bool {
        let Ok(records) = serde_json::from_slice::<Vec<Record>>(payload) else {
            return false;
        };
        let encoded = serde_json::to_vec(&records)
            .unwrap_or_else(|err| panic!("decoded records do not encode: {err}"));
        let again: Vec<Record> = serde_json::from_slice(&encoded)
            .unwrap_or_else(|err| panic!("encoded records do not decode: {err}"));
        let encoded_again = serde_json::to_vec(&again)
            .unwrap_or_else(|err| panic!("decoded records do not encode: {err}"));
        assert!(
            encoded == encoded_again,
            "records change when decoded again"
        );
        let mut keyring = Keyring::default();
        for record in records {
            if record
                .apply(&mut keyring, &self.identity, &self.root)
                .is_err()
            {
                return false;
            }
        }
        self.check_recorded_again(&mut keyring);
        true
    }

    /// Reads `bytes` as the frames after a journal's header, as the journal reader does
    /// (chained from a fixed tag), applying what authenticates, then looks for an
    /// authenticating frame in the rest, as the reader does before it cuts a torn tail.
    /// Checks that what it applied, recorded again, applies again to the same keys and
    /// aliases, and that an error names an offset within `bytes`. Returns how many bytes of
    /// frames applied.
    ///
    /// # Panics
    ///
    /// When a property does not hold: that is the finding the fuzzer reports.
    pub fn check_frames(&self, bytes: &[u8]) -> usize {
        let mut keyring = Keyring::default();
        match replay(bytes, FIRST_CHAIN, &self.root, &self.identity, &mut keyring) {
            Ok(replayed) => {
                let tail = bytes.get(replayed.len..).unwrap_or_else(|| {
                    panic!("replayed {} bytes of {}", replayed.len, bytes.len())
                });
                if !tail.is_empty() {
                    let _damaged_in_the_middle = Frame::valid_record_follows(tail, &self.root);
                }
                self.check_recorded_again(&mut keyring);
                replayed.len
            }
            Err((offset, why)) => {
                assert!(
                    offset < bytes.len(),
                    "an error at byte {offset} of {}",
                    bytes.len()
                );
                assert!(
                    why.starts_with(" cannot be read: ") || why.starts_with(": "),
                    "an error that does not follow 'record at byte N': '{why}'"
                );
                0
            }
        }
    }

    /// Records every key and alias `keyring` touched, applies the records to an empty
    /// keyring, and checks that it then holds the same keys and aliases.
    fn check_recorded_again(&self, keyring: &mut Keyring) {
        let touched: Vec<Touched> = keyring.take_touched().into_iter().collect();
        let records = touched
            .iter()
            .map(|change| Record::of(keyring, change, &self.root))
            .collect::<Result<Vec<_>>>()
            .unwrap_or_else(|err| panic!("an applied record cannot be recorded again: {err}"));
        let payload = serde_json::to_vec(&records)
            .unwrap_or_else(|err| panic!("records do not encode: {err}"));
        let mut again = Keyring::default();
        for record in serde_json::from_slice::<Vec<Record>>(&payload)
            .unwrap_or_else(|err| panic!("recorded records do not decode: {err}"))
        {
            record
                .apply(&mut again, &self.identity, &self.root)
                .unwrap_or_else(|why| panic!("a recorded record does not apply again: {why}"));
        }
        assert!(
            again.keys.keys().eq(keyring.keys.keys()),
            "recorded again, the keys differ"
        );
        assert!(
            again.aliases.keys().eq(keyring.aliases.keys()),
            "recorded again, the aliases differ"
        );
    }

    /// The frames of a journal holding the keys and aliases of `seed` (one change per key
    /// and alias, chained from the harness's first tag), and the payload of each frame: a
    /// corpus of valid inputs for the fuzz targets.
    ///
    /// # Errors
    ///
    /// The seed file's error, if it does not apply.
    pub fn journal_of(&self, seed: &SeedFile) -> Result<(Vec<u8>, Vec<Vec<u8>>)> {
        let mut keyring = Keyring::default();
        seed::apply(
            seed,
            &mut keyring,
            &self.identity,
            super::super::fuzzing::now(),
        )?;
        let mut bytes = Vec::new();
        let mut payloads = Vec::new();
        let mut chain = FIRST_CHAIN;
        for change in keyring.take_touched() {
            let record = Record::of(&keyring, &change, &self.root)?;
            let payload = serde_json::to_vec(&[record])
                .map_err(|err| crate::random::internal(&format!("record encoding: {err}")))?;
            frame::append(&mut bytes, &mut chain, &payload, &self.root)?;
            payloads.push(payload);
        }
        Ok((bytes, payloads))
    }
}
