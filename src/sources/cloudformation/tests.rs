use super::*;
use crate::sources::embedded::render;

fn run(text: &str) -> (Vec<Candidate>, SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::new(None);
    let id = sources.add(Path::new("stack.yaml"), text.to_string());
    let mut diags = Vec::new();
    let c = read_file(id, &mut sources, &mut diags);
    (c, sources, diags)
}

fn rendered(text: &str) -> String {
    let (c, s, d) = run(text);
    assert!(d.is_empty(), "{d:?}");
    render(&c, &s)
}

const YAML: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  IdleTimeout:
    Type: Number
    Default: 600
  DbPassword:
    Type: String
    NoEcho: true
    Default: hunter2
  NoDefault:
    Type: Number
Resources:
  Params:
    Type: AWS::RDS::DBParameterGroup
    Properties:
      Family: mysql8.0
      Parameters:
        wait_timeout: "28800"
        max_connections: "{DBInstanceClassMemory/12582880}"
        interactive_timeout: !Ref IdleTimeout
        net_read_timeout: !Ref NoDefault
        innodb_lock_wait_timeout: !Sub "${AWS::Region}"
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      LoadBalancerAttributes:
        - Key: deletion_protection.enabled
          Value: "false"
        - Key: idle_timeout.timeout_seconds
          Value: !Ref IdleTimeout
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: network
      LoadBalancerAttributes:
        - Key: idle_timeout.timeout_seconds
          Value: 60
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      Port: 5432
      ListenerAttributes:
        - Key: tcp.idle_timeout.seconds
          Value: "1800"
  Clb:
    Type: AWS::ElasticLoadBalancing::LoadBalancer
    Properties:
      ConnectionSettings:
        IdleTimeout: 3600
  Proxy:
    Type: AWS::RDS::DBProxy
    Properties:
      IdleClientTimeout: 120
      Auth: [{SecretArn: !Ref DbPassword}]
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUserPassword: s3cret
"#;

#[test]
fn yaml_resources_with_short_tags() {
    let (c, s, d) = run(YAML);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(
        render(&c, &s),
        "server Params @13:3 [mysql] flavor mysql 8.0 @16:15\n  \
wait_timeout (ParameterGroup) @18:9 = \"28800\" @18:23\n  \
max_connections (ParameterGroup) @19:9 = ?(`{DBInstanceClassMemory/12582880}` is an RDS formula, computed from the instance class at run time) @19:26\n  \
interactive_timeout (ParameterGroup) @20:9 = 600 @5:14\n  \
net_read_timeout (ParameterGroup) @21:9 = ?(`!Ref NoDefault` is given only when the stack is deployed (no Default in Parameters)) @21:27\n  \
innodb_lock_wait_timeout (ParameterGroup) @22:9 = ?(`Sub` is a CloudFormation intrinsic function, evaluated when the stack is deployed) @22:35\n\
idle limit Alb @23:3 [aws-alb] = 600 @5:14 x1s\n\
idle limit Listener @38:3 [aws-nlb] = \"1800\" @44:18 x1s\n\
idle limit Clb @45:3 [aws-clb] = 3600 @49:22 x1s\n\
idle limit Proxy @50:3 [aws-rds-proxy] = 120 @53:26 x1s\n"
    );
    let masked = s.get(c[0].at.file).masked_text();
    assert!(!masked.contains("hunter2") && !masked.contains("s3cret"));
}

#[test]
fn json_template_with_ref_and_fn_if() {
    let text = r#"{
  "Parameters": {"T": {"Type": "Number", "Default": "45"}},
  "Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}},
  "Resources": {
    "Cluster": {
      "Type": "AWS::RDS::DBClusterParameterGroup",
      "Properties": {
        "Family": "aurora-postgresql15",
        "Parameters": {"idle_session_timeout": {"Ref": "T"}, "tcp_keepalives_idle": {"Fn::GetAtt": ["X", "Y"]}}
      }
    },
    "Chosen": {
      "Type": "AWS::RDS::DBParameterGroup",
      "Properties": {
        "Family": "MySQL5.7",
        "Parameters": {"Fn::If": ["IsProd", {"wait_timeout": "100"}, {"wait_timeout": "200"}]}
      }
    }
  }
}"#;
    let r = rendered(text);
    assert!(r.contains("server Cluster @5:5 [postgres] flavor aurora-postgresql 15 @8:19\n  idle_session_timeout (ParameterGroup) @9:24 = \"45\" @2:53\n"), "{r}");
    assert!(
        r.contains("tcp_keepalives_idle (ParameterGroup) @9:62 = ?(`GetAtt` is"),
        "{r}"
    );
    assert!(
        r.contains("server Chosen @12:5 [mysql] flavor mysql 5.7"),
        "{r}"
    );
    assert!(r.contains("wait_timeout (ParameterGroup) @16:46 = ?(`100` is set only when condition `IsProd` is true)"), "{r}");
    assert!(
        r.contains("= ?(`200` is set only when condition `IsProd` is false)"),
        "{r}"
    );
}

#[test]
fn yaml_if_tag_on_parameters() {
    let text = "Conditions:\n  C: !Equals [a, b]\nResources:\n  G:\n    Type: AWS::RDS::DBClusterParameterGroup\n    Properties:\n      Family: !If [C, aurora-mysql5.7, aurora-mysql8.0]\n      Parameters: !If\n        - C\n        - {wait_timeout: 1}\n        - {wait_timeout: 2}\n";
    // The family is chosen by a condition: the group is not read.
    assert_eq!(rendered(text), "");
    let text = text.replace(
        "!If [C, aurora-mysql5.7, aurora-mysql8.0]",
        "aurora-mysql8.0",
    );
    let r = rendered(&text);
    assert!(
        r.contains("server G @4:3 [mysql] flavor aurora-mysql 8.0"),
        "{r}"
    );
    assert!(r.contains("is set only when condition `C` is true"), "{r}");
}

#[test]
fn families() {
    let at = Location::new(FileId(0), Span::default());
    type Want = Option<(System, &'static str, Option<&'static str>)>;
    let cases: &[(&str, Want)] = &[
        ("mysql8.0", Some((System::Mysql, "mysql", Some("8.0")))),
        ("aurora5.6", Some((System::Mysql, "aurora", Some("5.6")))),
        (
            "aurora-mysql5.7",
            Some((System::Mysql, "aurora-mysql", Some("5.7"))),
        ),
        (
            "mariadb10.6",
            Some((System::Mysql, "mariadb", Some("10.6"))),
        ),
        (
            "postgres16",
            Some((System::Postgres, "postgres", Some("16"))),
        ),
        (
            "aurora-postgresql15",
            Some((System::Postgres, "aurora-postgresql", Some("15"))),
        ),
        ("oracle-ee-19", None),
        ("sqlserver-ex-15.0", None),
        ("${Family}", None),
    ];
    for (f, want) in cases {
        let got = family_system(f, at).map(|(s, fl)| (s, fl.product, fl.version));
        let want = want.map(|(s, p, v)| (s, p.to_string(), v.map(str::to_string)));
        assert_eq!(got, want, "{f}");
    }
}

#[test]
fn rejects_malformed_and_detection() {
    for t in [
        "",
        "Resources: {}\n",
        "Resources:\n  X:\n    Type: AWS::S3::Bucket\n",
        "Resources: [1]\n",
        "a: 1\n",
    ] {
        let (c, _, d) = run(t);
        assert!(c.is_empty() && d.is_empty(), "{t:?}");
    }
    let (c, _, d) = run("Resources:\n  X: !Ref [\n");
    assert!(c.is_empty());
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code.id, "TL001");
    let doc = crate::parse::tree::parse_yaml(YAML).unwrap();
    assert!(is_template(&doc));
    let doc =
        crate::parse::tree::parse_yaml("Resources:\n  X:\n    Type: AWS::S3::Bucket\n").unwrap();
    assert!(is_template(&doc));
    let doc = crate::parse::tree::parse_yaml("kind: Service\n").unwrap();
    assert!(!is_template(&doc));
}

#[test]
fn find_in_map_with_known_keys() {
    let text = "Parameters:\n  Version:\n    Type: String\n    Default: v8\nMappings:\n  Engines:\n    v8:\n      Family: aurora-mysql8.0\n    global:\n      Idle: 900\nResources:\n  G:\n    Type: AWS::RDS::DBClusterParameterGroup\n    Properties:\n      Family: !FindInMap [Engines, !Ref Version, Family]\n      Parameters:\n        wait_timeout: !FindInMap [Engines, global, Idle]\n        interactive_timeout: !FindInMap [Engines, nowhere, Idle]\n        net_read_timeout: {\"Fn::FindInMap\": [Engines, !Ref Unknown, Idle]}\n";
    let r = rendered(text);
    assert_eq!(
        r,
        "server G @12:3 [mysql] flavor aurora-mysql 8.0 @8:15\n  \
wait_timeout (ParameterGroup) @17:9 = 900 @10:13\n  \
interactive_timeout (ParameterGroup) @18:9 = ?(`FindInMap` names no entry of this template's Mappings that can be known before deployment) @18:30\n  \
net_read_timeout (ParameterGroup) @19:9 = ?(`FindInMap` names no entry of this template's Mappings that can be known before deployment) @19:27\n"
    );
}
