use decision_markets_anchor::AnchorRegistry;
use decision_markets_anchor::{
    IAnchorRegistryDispatcher, IAnchorRegistryDispatcherTrait, IAnchorRegistrySafeDispatcher,
    IAnchorRegistrySafeDispatcherTrait,
};
use snforge_std::{
    ContractClassTrait, DeclareResultTrait, EventSpyAssertionsTrait, EventSpyTrait, declare,
    spy_events, start_cheat_caller_address, stop_cheat_caller_address,
};
use starknet::ContractAddress;

// A proof built by the TypeScript core (src/domain/anchoring): a batch of three postings
// (seq 1: account 1, -5 credits; seq 2: account 2, +5 credits; seq 3: account 3, 42 micro-credits),
// written out by test/domain/anchoring-contract-vector.test.ts, which fails if these drift.
const ROOT: felt252 = 0x54accdcd70049105c68e46e0b986ad060ced00ad2dd8e0cd488c11bf3934746;
const LEAF_COUNT: u64 = 3;
// Posting seq 1, leaf 0: its leaf hash, its level-0 node (placed at index 0 of 3), its path.
const LEAF_0: felt252 = 0x37ce12ea3a406d36ec25d5ed1bb292f87a520c5d5257c3ef8a1243137295c61;
const NODE_0: felt252 = 0x5c833b0d63073c28b3a8c737778d6d88c19dd83cc8fdaf49cda87f443c1b5f4;
const PATH_0: [felt252; 2] = [
    0x7772d0eced676568258a7f5540283af0f62ad86bfece3f506520a3448499dc9,
    0x6d6ce02f66201a494db4ee98ecc8f78af519b888ea323c748242acc4f614949,
];
// Posting seq 3, leaf 2: promoted past the first level, so one sibling.
const NODE_2: felt252 = 0x6d6ce02f66201a494db4ee98ecc8f78af519b888ea323c748242acc4f614949;
const PATH_2: [felt252; 1] = [0x575d964b142961e1508d71b52c5397e2e63d9ca6eb907b3eedac0d69af26ecb];
// Leaf 0's hash placed at index 1 instead: the same path must not verify.
const NODE_0_AT_1: felt252 = 0x2c2aa8f1e801734f0e2bde07523aa3cb7a6e94f9bd9670dce8c830579c8ced8;

// Ownable's owner() as the ABI exposes it, without depending on openzeppelin_interfaces.
#[starknet::interface]
trait IOwnerView<TContractState> {
    fn owner(self: @TContractState) -> ContractAddress;
}

fn OWNER() -> ContractAddress {
    'OWNER'.try_into().unwrap()
}

fn OTHER() -> ContractAddress {
    'OTHER'.try_into().unwrap()
}

fn deploy() -> (IAnchorRegistryDispatcher, ContractAddress) {
    let contract = declare("AnchorRegistry").unwrap().contract_class();
    let (address, _) = contract.deploy(@array![OWNER().into()]).unwrap();
    (IAnchorRegistryDispatcher { contract_address: address }, address)
}

fn deploy_as_owner() -> (IAnchorRegistryDispatcher, ContractAddress) {
    let (registry, address) = deploy();
    start_cheat_caller_address(address, OWNER());
    (registry, address)
}

#[test]
fn starts_empty_and_owned() {
    let (registry, address) = deploy();
    assert_eq!(registry.last_batch(), 0);
    assert_eq!(registry.get_root(1), (0, 0));
    assert_eq!(IOwnerViewDispatcher { contract_address: address }.owner(), OWNER());
}

#[test]
fn owner_anchors_1_then_2() {
    let (registry, _) = deploy_as_owner();
    registry.anchor_root(1, ROOT, LEAF_COUNT);
    assert_eq!(registry.last_batch(), 1);
    assert_eq!(registry.get_root(1), (ROOT, LEAF_COUNT));

    registry.anchor_root(2, 'root two', 7);
    assert_eq!(registry.last_batch(), 2);
    assert_eq!(registry.get_root(2), ('root two', 7));
    assert_eq!(registry.get_root(1), (ROOT, LEAF_COUNT));
    assert_eq!(registry.get_root(3), (0, 0));
}

#[test]
fn anchoring_emits_root_anchored() {
    let (registry, address) = deploy_as_owner();
    let mut spy = spy_events();
    registry.anchor_root(1, ROOT, LEAF_COUNT);

    spy
        .assert_emitted(
            @array![
                (
                    address,
                    AnchorRegistry::Event::RootAnchored(
                        AnchorRegistry::RootAnchored {
                            batch_id: 1, root: ROOT, leaf_count: LEAF_COUNT,
                        },
                    ),
                ),
            ],
        );
    // The raw layout the TypeScript side reads with starknet_getEvents.
    let events = spy.get_events();
    assert_eq!(events.events.len(), 1);
    let (_, event) = events.events.at(0);
    assert!(event.keys.span() == [selector!("RootAnchored"), 1].span());
    assert!(event.data.span() == [ROOT, LEAF_COUNT.into()].span());
}

#[test]
#[feature("safe_dispatcher")]
fn batch_3_before_2_panics() {
    let (registry, address) = deploy_as_owner();
    registry.anchor_root(1, ROOT, LEAF_COUNT);
    let safe = IAnchorRegistrySafeDispatcher { contract_address: address };
    match safe.anchor_root(3, 'root three', 1) {
        Result::Ok(_) => panic!("batch 3 was anchored before batch 2"),
        Result::Err(panic_data) => assert_eq!(*panic_data.at(0), 'BATCH_NOT_NEXT'),
    }
    assert_eq!(registry.last_batch(), 1);
    assert_eq!(registry.get_root(3), (0, 0));
}

#[test]
#[feature("safe_dispatcher")]
fn a_retried_batch_panics_and_keeps_the_first_root() {
    let (registry, address) = deploy_as_owner();
    registry.anchor_root(1, ROOT, LEAF_COUNT);
    let safe = IAnchorRegistrySafeDispatcher { contract_address: address };
    match safe.anchor_root(1, 'another root', LEAF_COUNT) {
        Result::Ok(_) => panic!("batch 1 was anchored twice"),
        Result::Err(panic_data) => assert_eq!(*panic_data.at(0), 'BATCH_NOT_NEXT'),
    }
    assert_eq!(registry.get_root(1), (ROOT, LEAF_COUNT));
}

#[test]
#[feature("safe_dispatcher")]
fn batch_0_panics() {
    let (_, address) = deploy_as_owner();
    let safe = IAnchorRegistrySafeDispatcher { contract_address: address };
    match safe.anchor_root(0, ROOT, LEAF_COUNT) {
        Result::Ok(_) => panic!("batch 0 was anchored"),
        Result::Err(panic_data) => assert_eq!(*panic_data.at(0), 'BATCH_NOT_NEXT'),
    }
}

#[test]
#[feature("safe_dispatcher")]
fn an_empty_batch_panics() {
    let (registry, address) = deploy_as_owner();
    let safe = IAnchorRegistrySafeDispatcher { contract_address: address };
    match safe.anchor_root(1, ROOT, 0) {
        Result::Ok(_) => panic!("an empty batch was anchored"),
        Result::Err(panic_data) => assert_eq!(*panic_data.at(0), 'EMPTY_BATCH'),
    }
    assert_eq!(registry.last_batch(), 0);
}

#[test]
#[feature("safe_dispatcher")]
fn non_owner_panics() {
    let (registry, address) = deploy();
    start_cheat_caller_address(address, OTHER());
    let safe = IAnchorRegistrySafeDispatcher { contract_address: address };
    match safe.anchor_root(1, ROOT, LEAF_COUNT) {
        Result::Ok(_) => panic!("a non-owner anchored a root"),
        Result::Err(panic_data) => assert_eq!(*panic_data.at(0), 'Caller is not the owner'),
    }
    stop_cheat_caller_address(address);
    assert_eq!(registry.last_batch(), 0);
}

#[test]
fn verify_accepts_the_typescript_proofs() {
    let (registry, _) = deploy_as_owner();
    registry.anchor_root(1, ROOT, LEAF_COUNT);
    assert!(registry.verify(1, NODE_0, PATH_0.span()));
    assert!(registry.verify(1, NODE_2, PATH_2.span()));
}

#[test]
fn verify_refuses_what_is_not_the_placed_leaf() {
    let (registry, _) = deploy_as_owner();
    registry.anchor_root(1, ROOT, LEAF_COUNT);
    // The bare leaf hash is not the level-0 node.
    assert!(!registry.verify(1, LEAF_0, PATH_0.span()));
    // The same leaf placed at another index.
    assert!(!registry.verify(1, NODE_0_AT_1, PATH_0.span()));
    // A tampered path, a path one short, a path with an extra element.
    let first = *PATH_0.span().at(0);
    let second = *PATH_0.span().at(1);
    assert!(!registry.verify(1, NODE_0, [first, 'tampered'].span()));
    assert!(!registry.verify(1, NODE_0, [first].span()));
    assert!(!registry.verify(1, NODE_0, [first, second, 0].span()));
    // Another batch, and a batch not anchored.
    registry.anchor_root(2, 'root two', 7);
    assert!(!registry.verify(2, NODE_0, PATH_0.span()));
    assert!(!registry.verify(3, NODE_0, PATH_0.span()));
}
