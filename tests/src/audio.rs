//! Audio for tests that need no speech: a valid WAV in which nothing is said.

/// `secs` seconds of 16 kHz mono 16-bit digital silence as a WAV.
#[must_use]
pub fn silent_wav(secs: u32) -> Vec<u8> {
    let samples = vec![0u8; 32_000 * secs as usize];
    let size = u32::try_from(samples.len()).expect("a short recording");
    let mut wav = Vec::with_capacity(44 + samples.len());
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + size).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes()); // size of the fmt chunk
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&16_000u32.to_le_bytes()); // samples a second
    wav.extend_from_slice(&32_000u32.to_le_bytes()); // bytes a second
    wav.extend_from_slice(&2u16.to_le_bytes()); // bytes a frame
    wav.extend_from_slice(&16u16.to_le_bytes()); // bits a sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&size.to_le_bytes());
    wav.extend_from_slice(&samples);
    wav
}
