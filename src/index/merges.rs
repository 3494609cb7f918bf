//! Which segments the writer merges, and into what sizes ([`SegmentMerges`]); how a compaction
//! groups them ([`compaction_groups`]).
//!
//! A bulk ingest commits every 20k documents, so it leaves two segments of ~10k documents per
//! commit (one per indexing thread). tantivy's default (log) policy merges eight segments of
//! one size into one, again and again: 10k → 80k → 640k. At a million documents that gives one
//! segment of 640k beside a few small ones, and the merge into it maps 640k documents' files at
//! once (1.8 GB of the ingest's 2.4 GB peak), while a query searched on two threads waits for
//! the thread that took the big segment. So segments merge eight at a time only while small,
//! then in pairs, and no merge makes a segment of more than [`PAIRED_UP_TO`] × 2 documents: a
//! million documents end in six segments of 160k and the newest few, and an index of 100k keeps
//! the layout of the log policy (one of ~80k and the newest few).

use tantivy::index::{SegmentId, SegmentMeta};
use tantivy::merge_policy::{LogMergePolicy, MergeCandidate, MergePolicy};

/// Segments of up to this many documents merge eight of a size at a time (tantivy's log policy).
const LOGGED_UP_TO: u32 = 50_000;

/// Segments of more than [`LOGGED_UP_TO`] and up to this many documents merge in pairs of the
/// two smallest; larger ones are left as they are.
const PAIRED_UP_TO: u32 = 100_000;

/// The index writer's merge policy: see the module's documentation.
#[derive(Debug)]
pub struct SegmentMerges {
    small: LogMergePolicy,
}

impl Default for SegmentMerges {
    fn default() -> SegmentMerges {
        let mut small = LogMergePolicy::default();
        small.set_max_docs_before_merge(LOGGED_UP_TO as usize);
        SegmentMerges { small }
    }
}

impl MergePolicy for SegmentMerges {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let mut candidates = self.small.compute_merge_candidates(segments);
        let mut middle: Vec<&SegmentMeta> = segments
            .iter()
            .filter(|s| (LOGGED_UP_TO + 1..=PAIRED_UP_TO).contains(&s.num_docs()))
            .collect();
        middle.sort_by_key(|s| s.num_docs());
        candidates.extend(
            middle
                .chunks_exact(2)
                .map(|pair| MergeCandidate(pair.iter().map(|s| s.id()).collect())),
        );
        candidates
    }
}

/// How a compaction into at most `max` segments (at least one) groups `segments`, each group
/// to be merged into one: the largest first, each into the group that holds the fewest
/// documents so far, so that the segments left are of about equal size (a query searches them
/// side by side, one per thread). A group of one segment is left out unless the segment has
/// deleted documents (merging it alone drops them): that segment stays as it is.
pub fn compaction_groups(segments: &[SegmentMeta], max: usize) -> Vec<Vec<SegmentId>> {
    let mut by_size: Vec<&SegmentMeta> = segments.iter().collect();
    by_size.sort_by_key(|s| std::cmp::Reverse(s.num_docs()));
    let mut groups: Vec<(u64, Vec<&SegmentMeta>)> = vec![(0, Vec::new()); max.max(1)];
    for segment in by_size {
        let smallest = groups
            .iter_mut()
            .min_by_key(|(docs, _)| *docs)
            .expect("at least one group");
        smallest.0 += u64::from(segment.num_docs());
        smallest.1.push(segment);
    }
    groups
        .into_iter()
        .map(|(_, group)| group)
        .filter(|group| group.len() > 1 || group.iter().any(|s| s.has_deletes()))
        .map(|group| group.iter().map(|s| s.id()).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::Index;
    use tantivy::index::SegmentId;
    use tantivy::schema::{STRING, Schema};

    /// Segment metas of these sizes (documents, none deleted).
    fn metas(sizes: &[u32]) -> Vec<SegmentMeta> {
        let mut schema = Schema::builder();
        schema.add_text_field("id", STRING);
        let index = Index::create_in_ram(schema.build());
        sizes
            .iter()
            .map(|&n| index.new_segment_meta(SegmentId::generate_random(), n))
            .collect()
    }

    /// Groups of segment ids as sorted lists of their sizes, sorted.
    fn sizes(metas: &[SegmentMeta], groups: &[Vec<SegmentId>]) -> Vec<Vec<u32>> {
        let size_of = |id: &SegmentId| metas.iter().find(|m| m.id() == *id).unwrap().num_docs();
        let mut sizes: Vec<Vec<u32>> = groups
            .iter()
            .map(|g| {
                let mut sizes: Vec<u32> = g.iter().map(size_of).collect();
                sizes.sort_unstable();
                sizes
            })
            .collect();
        sizes.sort();
        sizes
    }

    /// The merges the policy asks for among segments of these sizes.
    fn merges(of: &[u32]) -> Vec<Vec<u32>> {
        let metas = metas(of);
        let candidates: Vec<Vec<SegmentId>> = SegmentMerges::default()
            .compute_merge_candidates(&metas)
            .into_iter()
            .map(|c| c.0)
            .collect();
        sizes(&metas, &candidates)
    }

    #[test]
    fn small_segments_merge_eight_of_a_size_at_a_time() {
        assert_eq!(merges(&[10_000; 7]), Vec::<Vec<u32>>::new());
        assert_eq!(merges(&[10_000; 8]), vec![vec![10_000; 8]]);
        // What an ingest of 100k documents leaves: one merged segment and the newest ones.
        assert_eq!(merges(&[80_000, 10_000, 10_000]), Vec::<Vec<u32>>::new());
    }

    #[test]
    fn merged_segments_merge_in_pairs_up_to_a_cap() {
        assert_eq!(
            merges(&[80_000, 81_000, 79_000]),
            vec![vec![79_000, 80_000]]
        );
        assert_eq!(
            merges(&[80_000, 81_000, 79_000, 82_000]),
            vec![vec![79_000, 80_000], vec![81_000, 82_000]]
        );
        // Segments of a pair's size are not merged again.
        assert_eq!(merges(&[160_000, 161_000, 159_000]), Vec::<Vec<u32>>::new());
    }

    /// The groups a compaction into `max` makes of segments of these sizes.
    fn compaction(of: &[u32], max: usize) -> Vec<Vec<u32>> {
        let metas = metas(of);
        sizes(&metas, &compaction_groups(&metas, max))
    }

    #[test]
    fn a_compaction_leaves_segments_of_about_equal_size() {
        // What a bulk ingest of 1M leaves, into two of 500k.
        let mut million = vec![160_000; 6];
        million.extend([10_000; 4]);
        assert_eq!(
            compaction(&million, 2),
            vec![
                vec![10_000, 10_000, 160_000, 160_000, 160_000],
                vec![10_000, 10_000, 160_000, 160_000, 160_000],
            ]
        );
        assert_eq!(
            compaction(&million, 1),
            vec![{
                let mut all = million.clone();
                all.sort_unstable();
                all
            }]
        );
        // A segment as large as all the others together stays as it is.
        assert_eq!(
            compaction(&[80_000, 30_000, 30_000, 20_000], 2),
            vec![vec![20_000, 30_000, 30_000]]
        );
        // Already as few as asked, and nothing deleted: nothing to merge.
        assert_eq!(compaction(&[80_000, 10_000], 2), Vec::<Vec<u32>>::new());
        // A segment with deleted documents is merged alone, which drops them.
        let mut segments = metas(&[80_000, 10_000]);
        segments[0] = segments[0].clone().with_delete_meta(5, 1);
        assert_eq!(
            compaction_groups(&segments, 2),
            vec![vec![segments[0].id()]]
        );
        assert_eq!(compaction(&[80_000, 10_000], 0), vec![vec![10_000, 80_000]]);
    }

    #[test]
    fn no_segment_is_in_two_merges() {
        let mut sizes = vec![10_000; 8];
        sizes.extend([60_000, 70_000, 45_000]);
        let found = merges(&sizes);
        assert_eq!(found, vec![vec![10_000; 8], vec![60_000, 70_000]]);
    }
}
