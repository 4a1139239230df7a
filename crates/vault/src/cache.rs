//! A small bounded cache for what the vault reads on every update (who an
//! identity is, what a subject consented to, the records a dialog step
//! reads and rewrites), safe against the race of a read that fills it with
//! data an invalidation has just made stale.

use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::Mutex;

use hashlink::LinkedHashMap;

/// A bounded map with invalidation by generation; when full, the entry used
/// least recently makes room.
///
/// Reading through it: take [`Cache::generation`] before reading the store,
/// then [`Cache::fill`] with what was read. Writing: change the store first,
/// then [`Cache::invalidate`]. A fill whose read began before an
/// invalidation is dropped, so a stale value never stays in the cache.
/// Between a store write and its invalidation a hit may still return the
/// old value; the vault makes that harmless by changing consent and
/// identities only under the subject's write lock, which every reader that
/// acts on them (a write check, a record write) holds for reading.
pub(crate) struct Cache<K, V> {
    inner: Mutex<Inner<K, V>>,
    capacity: usize,
}

struct Inner<K, V> {
    /// Least recently used first.
    map: LinkedHashMap<K, V>,
    generation: u64,
}

impl<K: Eq + Hash + Clone, V: Clone> Cache<K, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                map: LinkedHashMap::new(),
                generation: 0,
            }),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<K, V>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.lock().map.to_back(key).map(|value| value.clone())
    }

    /// The current generation, to pass to [`Cache::fill`].
    pub(crate) fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Remembers `value` unless the cache was invalidated since `generation`.
    pub(crate) fn fill(&self, key: K, value: V, generation: u64) {
        let mut inner = self.lock();
        if inner.generation == generation {
            self.insert(&mut inner, key, value);
        }
    }

    /// Sets `key` to `value` whatever the generation: for writers that hold
    /// the lock every filler of `key` takes too.
    pub(crate) fn put(&self, key: K, value: V) {
        self.insert(&mut self.lock(), key, value);
    }

    /// Forgets `key`; returns whether it was there.
    pub(crate) fn take<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.lock().map.remove(key).is_some()
    }

    /// Sets `key`, the entry used least recently making room if need be.
    fn insert(&self, inner: &mut Inner<K, V>, key: K, value: V) {
        if inner.map.len() >= self.capacity && !inner.map.contains_key(&key) {
            inner.map.pop_front();
        }
        inner.map.insert(key, value);
    }

    /// How many entries `pick` picks.
    #[cfg(feature = "test-hooks")]
    pub(crate) fn count(&self, mut pick: impl FnMut(&K) -> bool) -> usize {
        self.lock().map.keys().filter(|k| pick(k)).count()
    }

    /// Forgets every entry `stale` picks, and every fill still in flight.
    pub(crate) fn invalidate(&self, mut stale: impl FnMut(&K, &V) -> bool) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.map.retain(|k, v| !stale(k, v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fill_that_raced_an_invalidation_is_dropped() {
        let cache: Cache<u8, &str> = Cache::new(2);
        let before = cache.generation();
        cache.invalidate(|k, _| *k == 1);
        cache.fill(1, "stale", before);
        assert_eq!(cache.get(&1), None);
        cache.fill(1, "fresh", cache.generation());
        assert_eq!(cache.get(&1), Some("fresh"));
    }

    #[test]
    fn it_stays_within_its_capacity_and_forgets_what_is_invalidated() {
        let cache: Cache<u8, u8> = Cache::new(2);
        for k in 0..5 {
            cache.fill(k, k, cache.generation());
        }
        assert_eq!((0..5).filter(|k| cache.get(k).is_some()).count(), 2);
        assert_eq!(cache.get(&4), Some(4), "the newest is kept");
        cache.invalidate(|_, v| *v == 4);
        assert_eq!(cache.get(&4), None);
    }

    #[test]
    fn the_entry_used_least_recently_makes_room() {
        let cache: Cache<u8, u8> = Cache::new(3);
        for k in 0..3 {
            cache.put(k, k);
        }
        // 0 read again; 1 is now the one used least recently.
        assert_eq!(cache.get(&0), Some(0));
        cache.put(3, 3);
        assert_eq!(cache.get(&1), None);
        for k in [0, 2, 3] {
            assert_eq!(cache.get(&k), Some(k));
        }
        // Rewriting an entry uses it too: 0 is now the least recent.
        cache.put(2, 20);
        cache.put(3, 30);
        cache.put(4, 4);
        assert_eq!(cache.get(&0), None);
        assert_eq!(cache.get(&2), Some(20));
    }
}
