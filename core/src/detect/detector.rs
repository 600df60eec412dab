//! Detection as a [`Machine`]: the address is read at once; a domain that
//! isn't a consumer one needs its MX records, one DNS-over-HTTPS request.

use serde::{Deserialize, Serialize};

use super::{
    AddressError, DetectStep, Detection, detect_from_address, detect_from_mx, lookup_failed,
    parse_address,
};
use crate::http::TransportFailure;
use crate::machine::{Input, Machine, Moment, NoQuestion, StepOf};

/// Detection of one address; serialise it between its two calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Detector {
    address: String,
}

/// Why a detection request is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Purpose {
    /// The domain's MX records over DNS-over-HTTPS.
    MxLookup,
}

/// An address that isn't one (crosses as `{code, message}`, the code the
/// address error's: `missingAt`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectError(pub AddressError);

impl Serialize for DetectError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("DetectError", 2)?;
        s.serialize_field("code", self.0.code())?;
        s.serialize_field("message", self.0.message())?;
        s.end()
    }
}

impl Detector {
    pub fn new(address: &str) -> Self {
        Detector {
            address: address.to_owned(),
        }
    }
}

impl Machine for Detector {
    type Purpose = Purpose;
    type Question = NoQuestion;
    type Answer = NoQuestion;
    type Result = Detection;
    type Error = DetectError;

    fn start(&mut self, _at: Moment<'_>) -> StepOf<Self> {
        match detect_from_address(&self.address) {
            Ok(DetectStep::Done { detection }) => Step::Done { result: detection },
            Ok(DetectStep::NeedsDns { request, .. }) => Step::Http {
                request,
                purpose: Purpose::MxLookup,
            },
            Err(e) => Step::Failed {
                error: DetectError(e),
            },
        }
    }

    /// The MX answer; no answer at all (offline, timeout) gives the same
    /// low-confidence "couldn't look up" detection as a DNS error.
    fn resume(&mut self, input: Input<NoQuestion>, _at: Moment<'_>) -> StepOf<Self> {
        let read = match input {
            Input::Response { response } => detect_from_mx(&self.address, &response),
            other => {
                let why = match other {
                    Input::Transport {
                        failure: TransportFailure::Timeout,
                    } => "the DNS service didn't answer in time",
                    _ => "the DNS service couldn't be reached",
                };
                parse_address(&self.address).map(|parsed| lookup_failed(&parsed, why.into()))
            }
        };
        match read {
            Ok(result) => Step::Done { result },
            Err(e) => Step::Failed {
                error: DetectError(e),
            },
        }
    }
}

type Step = StepOf<Detector>;
