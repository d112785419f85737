//! The inflation of gzip downloads on arbitrary input: no panic, every piece handed on is
//! bounded (the decoder is fed 512 bytes at a time), and nothing beyond the limit is ever
//! produced.
//!
//! Input: the first byte picks the limit (0: the default, which grows with the input;
//! otherwise `byte * 4096` bytes); the rest is the "gzip file".
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Deflate inflates at most about 1,032 to one: 512 compressed bytes give at most this much.
const LARGEST_PIECE: usize = 600 * 1024;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, gzip)) = data.split_first() else {
        return;
    };
    let limit = (choice != 0).then(|| u64::from(choice) * 4096);
    let mut total = 0u64;
    let result = wechatpay::download::inflate_in_steps(gzip, limit, |piece| {
        assert!(piece.len() <= LARGEST_PIECE, "a piece of {} bytes", piece.len());
        total += piece.len() as u64;
    });
    if let Ok(inflated) = result {
        assert_eq!(inflated, total);
        if let Some(limit) = limit {
            assert!(inflated <= limit);
        }
    }
});
