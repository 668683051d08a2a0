//! Tests of the builder's labels and node numbering.

use super::*;

#[test]
fn a_company_is_labelled_by_its_first_site_without_the_branch() {
    assert_eq!(
        company_label("Bæk Gartneri ApS afd. Odense C"),
        "Bæk Gartneri ApS"
    );
    assert_eq!(company_label("Solo ApS"), "Solo ApS");
}

#[test]
fn every_relation_goes_between_the_kinds_its_table_links() {
    use Relation::*;
    for r in [SiteOf, RecruitedBy, PostedBy, HousedAt] {
        assert_eq!(ends(r).0, NodeKind::Site, "{r:?}");
    }
    for r in [Owner, Director, Contact] {
        assert_eq!(ends(r), (NodeKind::Company, NodeKind::Person), "{r:?}");
    }
    assert_eq!(id_column(NodeKind::Address), "address_id");
}
