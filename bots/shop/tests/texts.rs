//! Every text of the demo — core, facade, privacy layer and shop — exists in
//! German; the list of missing keys is printed when one does not.

#[test]
fn no_text_is_missing_in_german() {
    let catalog = botwerk_shop::bot().catalog().expect("the texts load");
    assert_eq!(
        catalog.missing("de"),
        Vec::<String>::new(),
        "texts missing in German"
    );
}

#[test]
fn the_inventory_is_valid() {
    let inventory = botwerk_shop::bot().inventory().expect("a valid inventory");
    assert_eq!(
        inventory.purpose("remember-address").unwrap().basis,
        botwerk::vault::LegalBasis::Consent
    );
    assert!(
        inventory.category("marketing-subscription").is_some(),
        "the newsletter's subscriptions"
    );
}
