#!/usr/bin/perl
# scripts/validate_meta.pl: check a META.json against the PGXN Meta Spec
# 1.0.0 (https://pgxn.org/spec/), the metadata PGXN reads from a release.
#
#   perl scripts/validate_meta.pl [META.json]
#
# Prints one line per problem and exits 1 if there is any, else prints
# "META.json: valid (PGXN Meta Spec 1.0.0)" and exits 0.  Checked: the
# required keys (name, abstract, version, maintainer, license, provides,
# meta-spec) and their types; every optional key the spec defines
# (description, generated_by, tags, no_index, prereqs, release_status,
# resources); that other keys start with x_ or X_ (the spec's custom keys);
# and, beyond the spec, that the files provides names exist beside
# META.json.  Only JSON::PP (in Debian's perl) is used, so that the test
# needs no PGXN tool (Debian packages neither pgxnclient's validator nor
# PGXN::Meta::Validator).
use strict;
use warnings;
use JSON::PP;
use File::Basename qw(dirname);

my $path = shift // 'META.json';
my $dir = dirname($path);
my @problems;
sub problem { push @problems, join('', @_) }

open(my $fh, '<:raw', $path) or die "$path: $!\n";
my $text = do { local $/; <$fh> };
close $fh;
my $meta = eval { JSON::PP->new->utf8->decode($text) };
if (!defined $meta) {
	print "$path: not JSON: $@";
	exit 1;
}
if (ref $meta ne 'HASH') {
	print "$path: the top level must be an object\n";
	exit 1;
}

sub is_string { my $v = shift; defined $v && !ref $v && !JSON::PP::is_bool($v) }
sub is_list { ref $_[0] eq 'ARRAY' }
sub is_map { ref $_[0] eq 'HASH' }

# A term: at least two characters, no white space, slash, backslash or
# control character (names of distributions and extensions).
sub check_term {
	my ($where, $v) = @_;
	return problem("$where: must be a string") unless is_string($v);
	problem("$where: \"$v\" must be at least 2 characters") if length $v < 2;
	problem("$where: \"$v\" must not contain white space, slashes or control characters")
	  if $v =~ m{[\s/\\[:cntrl:]]};
}

# A tag: 1 to 255 characters, no slash, backslash or control character.
sub check_tag {
	my ($where, $v) = @_;
	return problem("$where: must be a string") unless is_string($v);
	problem("$where: must be 1 to 255 characters") if length $v < 1 || length $v > 255;
	problem("$where: \"$v\" must not contain slashes or control characters")
	  if $v =~ m{[/\\[:cntrl:]]};
}

# A version: Semantic Versioning 1.0.0 as PGXN takes it, MAJOR.MINOR.PATCH
# with an optional pre-release suffix (1.0.0beta1, 1.0.0-rc1), no leading
# zeros.
my $semver = qr/^(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)(?:-?[a-zA-Z][-0-9A-Za-z]*)?$/;
sub check_version {
	my ($where, $v) = @_;
	return problem("$where: must be a string") unless is_string($v);
	problem("$where: \"$v\" is not a semantic version (MAJOR.MINOR.PATCH)") unless $v =~ $semver;
}

# A version range: 0 (any), a version (at least it), or comparisons joined
# by commas (">= 15.0.0, < 16.0.0").
sub check_range {
	my ($where, $v) = @_;
	return problem("$where: must be a string") unless is_string($v);
	return if $v eq '0' || $v =~ $semver;
	for my $part (split /\s*,\s*/, $v) {
		if ($part =~ /^(==|!=|<=|>=|<|>)\s*(\S+)$/) {
			problem("$where: \"$2\" in \"$v\" is not a semantic version") unless $2 =~ $semver;
		} else {
			problem("$where: \"$part\" in \"$v\" is not a version comparison (==, !=, <, <=, >, >= VERSION)");
		}
	}
}

sub check_url {
	my ($where, $v) = @_;
	return problem("$where: must be a string") unless is_string($v);
	problem("$where: \"$v\" is not a URL") unless $v =~ m{^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$};
}

sub check_keys {
	my ($where, $map, @allowed) = @_;
	my %ok = map { $_ => 1 } @allowed;
	for my $k (sort keys %$map) {
		problem("$where: unknown key \"$k\" (custom keys begin with x_ or X_)")
		  unless $ok{$k} || $k =~ /^[xX]_/;
	}
}

my @licenses = qw(agpl_3 apache_1_1 apache_2_0 artistic_1 artistic_2 bsd freebsd
  gfdl_1_2 gfdl_1_3 gpl_1 gpl_2 gpl_3 lgpl_2_1 lgpl_3_0 mit mozilla_1_0
  mozilla_1_1 openssl perl_5 postgresql qpl_1_0 ssleay sun zlib open_source
  restricted unrestricted unknown);
my %license = map { $_ => 1 } @licenses;

# The top level.
check_keys('META.json', $meta, qw(name abstract description version maintainer
  license provides prereqs release_status resources generated_by no_index tags
  meta-spec));
for my $k (qw(name abstract version maintainer license provides meta-spec)) {
	problem("$k: required") unless exists $meta->{$k};
}

check_term('name', $meta->{name}) if exists $meta->{name};
for my $k (qw(abstract description generated_by)) {
	problem("$k: must be a string") if exists $meta->{$k} && !is_string($meta->{$k});
}
check_version('version', $meta->{version}) if exists $meta->{version};

if (exists $meta->{maintainer}) {
	my $m = $meta->{maintainer};
	if (is_list($m)) {
		problem('maintainer: the list is empty') unless @$m;
		is_string($_) && length $_ or problem('maintainer: every entry must be a non-empty string') for @$m;
	} elsif (!is_string($m) || !length $m) {
		problem('maintainer: must be a string or a list of strings');
	}
}

if (exists $meta->{license}) {
	my $l = $meta->{license};
	if (is_string($l)) {
		problem("license: \"$l\" is not one of the spec's names (@licenses)") unless $license{$l};
	} elsif (is_list($l)) {
		problem('license: the list is empty') unless @$l;
		for (@$l) {
			problem("license: \"" . ($_ // 'null') . "\" is not one of the spec's names")
			  unless is_string($_) && $license{$_};
		}
	} elsif (is_map($l)) {
		problem('license: the object is empty') unless %$l;
		check_url("license.$_", $l->{$_}) for sort keys %$l;
	} else {
		problem('license: must be a name, a list of names or an object of name: URL');
	}
}

if (exists $meta->{provides}) {
	my $p = $meta->{provides};
	if (!is_map($p) || !%$p) {
		problem('provides: must be an object naming at least one extension');
	} else {
		for my $ext (sort keys %$p) {
			my $w = "provides.$ext";
			check_term("$w (its name)", $ext);
			my $e = $p->{$ext};
			if (!is_map($e)) { problem("$w: must be an object"); next; }
			check_keys($w, $e, qw(file version abstract docfile));
			problem("$w.file: required") unless exists $e->{file};
			problem("$w.version: required") unless exists $e->{version};
			check_version("$w.version", $e->{version}) if exists $e->{version};
			problem("$w.abstract: must be a string") if exists $e->{abstract} && !is_string($e->{abstract});
			for my $f (qw(file docfile)) {
				next unless exists $e->{$f};
				if (!is_string($e->{$f})) { problem("$w.$f: must be a string"); next; }
				problem("$w.$f: \"$e->{$f}\" is not a file of the distribution")
				  unless -f "$dir/$e->{$f}";
			}
		}
	}
}

if (exists $meta->{'meta-spec'}) {
	my $s = $meta->{'meta-spec'};
	if (!is_map($s)) {
		problem('meta-spec: must be an object');
	} else {
		check_keys('meta-spec', $s, qw(version url));
		if (!is_string($s->{version})) {
			problem('meta-spec.version: required, a string');
		} elsif ($s->{version} ne '1.0.0') {
			problem("meta-spec.version: \"$s->{version}\", this checks 1.0.0");
		}
		check_url('meta-spec.url', $s->{url}) if exists $s->{url};
	}
}

if (exists $meta->{prereqs}) {
	my $p = $meta->{prereqs};
	if (!is_map($p)) {
		problem('prereqs: must be an object');
	} else {
		for my $phase (sort keys %$p) {
			problem("prereqs: unknown phase \"$phase\" (configure, build, test, runtime, develop)")
			  unless $phase =~ /^(configure|build|test|runtime|develop)$/ || $phase =~ /^[xX]_/;
			my $rel = $p->{$phase};
			if (!is_map($rel)) { problem("prereqs.$phase: must be an object"); next; }
			for my $r (sort keys %$rel) {
				problem("prereqs.$phase: unknown relationship \"$r\" (requires, recommends, suggests, conflicts)")
				  unless $r =~ /^(requires|recommends|suggests|conflicts)$/ || $r =~ /^[xX]_/;
				my $deps = $rel->{$r};
				if (!is_map($deps)) { problem("prereqs.$phase.$r: must be an object"); next; }
				for my $d (sort keys %$deps) {
					check_term("prereqs.$phase.$r (name \"$d\")", $d);
					check_range("prereqs.$phase.$r.$d", $deps->{$d});
				}
			}
		}
	}
}

if (exists $meta->{release_status}) {
	my $s = $meta->{release_status};
	problem('release_status: must be stable, testing or unstable')
	  unless is_string($s) && $s =~ /^(stable|testing|unstable)$/;
}

if (exists $meta->{resources}) {
	my $r = $meta->{resources};
	if (!is_map($r)) {
		problem('resources: must be an object');
	} else {
		check_keys('resources', $r, qw(homepage bugtracker repository));
		check_url('resources.homepage', $r->{homepage}) if exists $r->{homepage};
		for my $k (qw(bugtracker repository)) {
			next unless exists $r->{$k};
			if (!is_map($r->{$k})) { problem("resources.$k: must be an object"); next; }
		}
		if (is_map($r->{bugtracker})) {
			my $b = $r->{bugtracker};
			check_keys('resources.bugtracker', $b, qw(web mailto));
			check_url('resources.bugtracker.web', $b->{web}) if exists $b->{web};
			problem('resources.bugtracker.mailto: must be an e-mail address')
			  if exists $b->{mailto} && !(is_string($b->{mailto}) && $b->{mailto} =~ /^[^@\s]+@[^@\s]+$/);
		}
		if (is_map($r->{repository})) {
			my $g = $r->{repository};
			check_keys('resources.repository', $g, qw(url web type));
			check_url('resources.repository.url', $g->{url}) if exists $g->{url};
			check_url('resources.repository.web', $g->{web}) if exists $g->{web};
			problem('resources.repository.type: must be a lower-case word (git, svn...)')
			  if exists $g->{type} && !(is_string($g->{type}) && $g->{type} =~ /^[a-z]+$/);
		}
	}
}

if (exists $meta->{no_index}) {
	my $n = $meta->{no_index};
	if (!is_map($n)) {
		problem('no_index: must be an object');
	} else {
		check_keys('no_index', $n, qw(file directory));
		for my $k (grep { exists $n->{$_} } qw(file directory)) {
			my @v = is_list($n->{$k}) ? @{ $n->{$k} } : ($n->{$k});
			is_string($_) && length $_ or problem("no_index.$k: must be a path or a list of paths") for @v;
		}
	}
}

if (exists $meta->{tags}) {
	my $t = $meta->{tags};
	if (!is_list($t) || !@$t) {
		problem('tags: must be a non-empty list');
	} else {
		check_tag("tags[$_]", $t->[$_]) for 0 .. $#$t;
	}
}

if (@problems) {
	print "$path: $_\n" for @problems;
	print "$path: INVALID (" . scalar(@problems) . " problem(s), PGXN Meta Spec 1.0.0)\n";
	exit 1;
}
print "$path: valid (PGXN Meta Spec 1.0.0)\n";
exit 0;
