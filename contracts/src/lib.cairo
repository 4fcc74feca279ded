//! The anchor registry: one Merkle root per batch, batch ids consecutive from 1, written by the
//! owner (the platform's anchoring account) and readable by anyone.
//!
//! A batch's root is computed off-chain (src/domain/anchoring in the TypeScript project) over
//! the batch's leaves; each leaf enters the tree as `poseidon(['DM_LEAF_AT_V1', index * 2^64 +
//! leaf_count, leaf])`, and internal nodes are OpenZeppelin's commutative Poseidon hash. So a
//! proof from the TypeScript side verifies here with `verify_poseidon`, given that level-0 node
//! as the `leaf`.

#[starknet::interface]
pub trait IAnchorRegistry<TContractState> {
    /// Stores `(root, leaf_count)` as batch `batch_id`. Owner only; `batch_id` must be
    /// `last_batch() + 1` and `leaf_count` positive. Emits `RootAnchored`.
    fn anchor_root(ref self: TContractState, batch_id: u64, root: felt252, leaf_count: u64);
    /// `(root, leaf_count)` of a batch; `(0, 0)` when it is not anchored.
    fn get_root(self: @TContractState, batch_id: u64) -> (felt252, u64);
    /// The last anchored batch id; 0 before the first.
    fn last_batch(self: @TContractState) -> u64;
    /// Whether `proof` leads from `leaf` (the level-0 node) to the root of batch `batch_id`;
    /// false for a batch not anchored.
    fn verify(self: @TContractState, batch_id: u64, leaf: felt252, proof: Span<felt252>) -> bool;
}

#[starknet::contract]
pub mod AnchorRegistry {
    use openzeppelin_access::ownable::OwnableComponent;
    use openzeppelin_merkle_tree::merkle_proof::verify_poseidon;
    use starknet::ContractAddress;
    use starknet::storage::{
        Map, StorageMapReadAccess, StorageMapWriteAccess, StoragePointerReadAccess,
        StoragePointerWriteAccess,
    };

    component!(path: OwnableComponent, storage: ownable, event: OwnableEvent);

    // owner(), transfer_ownership(), renounce_ownership(); a non-owner gets
    // 'Caller is not the owner'.
    #[abi(embed_v0)]
    impl OwnableImpl = OwnableComponent::OwnableImpl<ContractState>;
    impl OwnableInternalImpl = OwnableComponent::InternalImpl<ContractState>;

    pub mod Errors {
        pub const BATCH_NOT_NEXT: felt252 = 'BATCH_NOT_NEXT';
        pub const EMPTY_BATCH: felt252 = 'EMPTY_BATCH';
    }

    #[storage]
    pub struct Storage {
        #[substorage(v0)]
        pub ownable: OwnableComponent::Storage,
        // Not named last_batch, so that the storage member and the entry point cannot be confused.
        pub last_batch_id: u64,
        pub roots: Map<u64, felt252>,
        pub leaf_counts: Map<u64, u64>,
    }

    #[event]
    #[derive(Drop, starknet::Event)]
    pub enum Event {
        RootAnchored: RootAnchored,
        #[flat]
        OwnableEvent: OwnableComponent::Event,
    }

    /// keys: [selector!("RootAnchored"), batch_id]; data: [root, leaf_count].
    #[derive(Drop, Debug, PartialEq, starknet::Event)]
    pub struct RootAnchored {
        #[key]
        pub batch_id: u64,
        pub root: felt252,
        pub leaf_count: u64,
    }

    #[constructor]
    fn constructor(ref self: ContractState, owner: ContractAddress) {
        self.ownable.initializer(owner);
    }

    #[abi(embed_v0)]
    impl AnchorRegistryImpl of super::IAnchorRegistry<ContractState> {
        fn anchor_root(ref self: ContractState, batch_id: u64, root: felt252, leaf_count: u64) {
            self.ownable.assert_only_owner();
            // Consecutive ids make a retried submission of batch n fail instead of anchoring
            // twice, and a skipped batch impossible: the chain holds 1..last_batch, no gaps.
            assert(batch_id == self.last_batch_id.read() + 1, Errors::BATCH_NOT_NEXT);
            // leaf_count 0 is what get_root answers for "not anchored".
            assert(leaf_count > 0, Errors::EMPTY_BATCH);
            self.roots.write(batch_id, root);
            self.leaf_counts.write(batch_id, leaf_count);
            self.last_batch_id.write(batch_id);
            self.emit(RootAnchored { batch_id, root, leaf_count });
        }

        fn get_root(self: @ContractState, batch_id: u64) -> (felt252, u64) {
            (self.roots.read(batch_id), self.leaf_counts.read(batch_id))
        }

        fn last_batch(self: @ContractState) -> u64 {
            self.last_batch_id.read()
        }

        fn verify(
            self: @ContractState, batch_id: u64, leaf: felt252, proof: Span<felt252>,
        ) -> bool {
            if self.leaf_counts.read(batch_id) == 0 {
                return false;
            }
            verify_poseidon(proof, self.roots.read(batch_id), leaf)
        }
    }
}
