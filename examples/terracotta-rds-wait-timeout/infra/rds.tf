# The parameter group Terracotta's AWS tutorial asks for
# (docs/tutorials/aws.rst, "Optional: Setup a MySQL server on RDS"):
#     wait_timeout = 1
#     max_connections = 16000
# The tutorial does it in the RDS console; this Terraform form, the family and
# the instance are illustrative. Only the two values are from the tutorial.
resource "aws_db_parameter_group" "terracotta" {
  name   = "terracotta"
  family = "mysql8.0"

  parameter {
    name  = "wait_timeout"
    value = "1"
  }

  parameter {
    name  = "max_connections"
    value = "16000"
  }
}

resource "aws_db_instance" "terracotta" {
  identifier           = "terracotta"
  engine               = "mysql"
  engine_version       = "8.0"
  instance_class       = "db.t3.micro"
  allocated_storage    = 20
  db_name              = "terracotta"
  username             = "terracotta"
  password             = "changeme"
  parameter_group_name = aws_db_parameter_group.terracotta.name
  skip_final_snapshot  = true
}
