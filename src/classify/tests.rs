use super::*;

fn kind(name: &str, text: &str) -> Classified {
    classify_text(Path::new(name), text)
}

#[test]
fn mysql_option_file() {
    assert_eq!(
        kind("my.cnf", "[mysqld]\nwait_timeout = 600\n"),
        Classified::Known(Kind::MysqlOptionFile)
    );
}
