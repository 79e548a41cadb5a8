//! Randomness comes in from outside so that tests control it.

use std::sync::Mutex;

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};

/// A source of random bytes and numbers.
pub trait Entropy: Send + Sync {
    fn fill(&self, buf: &mut [u8]);

    /// A number in `[0, 1)`.
    fn unit(&self) -> f64;
}

/// The operating system's generator, for production.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&self, buf: &mut [u8]) {
        rand::rng().fill_bytes(buf);
    }

    fn unit(&self) -> f64 {
        rand::rng().random::<f64>()
    }
}

/// A seeded generator: the same seed gives the same sequence, so tests are repeatable.
#[derive(Debug)]
pub struct SeededEntropy(Mutex<StdRng>);

impl SeededEntropy {
    pub fn new(seed: u64) -> Self {
        SeededEntropy(Mutex::new(StdRng::seed_from_u64(seed)))
    }
}

impl Entropy for SeededEntropy {
    fn fill(&self, buf: &mut [u8]) {
        self.0.lock().expect("entropy lock").fill_bytes(buf);
    }

    fn unit(&self) -> f64 {
        self.0.lock().expect("entropy lock").random::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let (a, b) = (SeededEntropy::new(7), SeededEntropy::new(7));
        let (mut x, mut y) = ([0u8; 16], [0u8; 16]);
        a.fill(&mut x);
        b.fill(&mut y);
        assert_eq!(x, y);
        assert_eq!(a.unit(), b.unit());
        assert_ne!(x, [0u8; 16]);
    }
}
