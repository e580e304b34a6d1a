# CompensationOracle: a deliberately simple second evaluator of the policy
# language, and a generator of random policies and rows for it (the
# generator in CompensationOracleGen.pm, the same package).
#
# Used by test/t/002_oracle.pl.  Nothing here calls the extension: a policy
# is generated as a tree, printed as policy text for the server, and the
# same tree is evaluated here, from docs/policy-language.md, over rows held
# as Perl values.  Numbers are exact rationals on Math::BigInt; every
# intermediate value is checked against the documented range (a reduced
# fraction whose numerator and denominator fit in 64 bits, the numerator
# never -2^63), so overflow errors are predicted, not only results.
#
# The evaluation order (which matters for which error, if any, a row gets)
# is the one the language implies: rules in order; and/or left to right
# with short-circuit on false/true (an unknown left side still evaluates
# the right); arithmetic left to right, a NULL or review left operand ends
# it; comparisons evaluate both sides; lets computed when first used.
package CompensationOracle;

use strict;
use warnings;
use Math::BigInt try => 'FastCalc';
use POSIX ();

our $MAX = Math::BigInt->new('9223372036854775807');
our $ONE = Math::BigInt->new(1);
our $ZERO = Math::BigInt->new(0);

# An evaluation error: dies with a blessed [sqlstate, message].
sub fail_ { die bless [ $_[0], $_[1] ], 'CompensationOracle::Error'; }

###########################################################################
# Rationals: [num, den] of Math::BigInt, den > 0, reduced.

sub rat
{
	my ($n, $d) = @_;
	$n = Math::BigInt->new($n) unless ref $n;
	$d = defined $d ? (ref $d ? $d->copy : Math::BigInt->new($d)) : $ONE->copy;
	$n = $n->copy;
	if ($d->is_neg) { $n->bneg; $d->bneg; }
	if ($n->is_zero) { return [ $ZERO->copy, $ONE->copy ]; }
	my $g = Math::BigInt::bgcd($n, $d);
	if (!$g->is_one) { $n->bdiv($g); $d->bdiv($g); }
	return [ $n, $d ];
}

sub rat_fits
{
	my ($r) = @_;
	return $r->[0]->copy->babs <= $MAX && $r->[1] <= $MAX;
}

# the checked result of an operation
sub chk
{
	my ($r) = @_;
	fail_('22003', 'value out of range') unless rat_fits($r);
	return $r;
}

sub radd { my ($a, $b) = @_; chk(rat($a->[0] * $b->[1] + $b->[0] * $a->[1], $a->[1] * $b->[1])) }
sub rsub { my ($a, $b) = @_; chk(rat($a->[0] * $b->[1] - $b->[0] * $a->[1], $a->[1] * $b->[1])) }
sub rmul { my ($a, $b) = @_; chk(rat($a->[0] * $b->[0], $a->[1] * $b->[1])) }
sub rdiv
{
	my ($a, $b) = @_;
	fail_('22012', 'division by zero') if $b->[0]->is_zero;
	chk(rat($a->[0] * $b->[1], $a->[1] * $b->[0]));
}
sub rneg { my ($a) = @_; [ $a->[0]->copy->bneg, $a->[1]->copy ] }
sub rabs { my ($a) = @_; [ $a->[0]->copy->babs, $a->[1]->copy ] }
sub rcmp { my ($a, $b) = @_; ($a->[0] * $b->[1]) <=> ($b->[0] * $a->[1]) }
sub rsign { my ($a) = @_; $a->[0]->sign eq '-' ? -1 : ($a->[0]->is_zero ? 0 : 1) }

# "12.345" -> rational (a literal or a numeric column value)
sub rat_dec
{
	my ($s) = @_;
	my $neg = $s =~ s/^-//;
	my ($i, $f) = split /\./, $s;
	$f //= '';
	my $r = rat(($neg ? '-' : '') . ($i . $f), Math::BigInt->new(10)->bpow(length $f));
	return $r;
}

# floor of num/den, and the rounding of a rational to an integer by mode;
# returns (integer, inexact)
sub round_int
{
	my ($num, $den, $mode) = @_;
	my ($q, $rem) = $num->copy->bdiv($den);	# floored division
	return ($q, 0) if $rem->is_zero;
	my $twice = $rem * 2;
	if ($mode eq 'floor') { return ($q, 1) }
	if ($mode eq 'ceiling') { return ($q + 1, 1) }
	if ($mode eq 'half_up')
	{
		return ($q + 1, 1) if $twice > $den;
		return ($q, 1) if $twice < $den;
		return ($num->sign eq '-' ? $q : $q + 1, 1);
	}
	if ($mode eq 'half_even')
	{
		return ($q + 1, 1) if $twice > $den;
		return ($q, 1) if $twice < $den;
		return ($q->is_even ? $q : $q + 1, 1);
	}
	return ($q, 1);		# unset: the caller raises
}

###########################################################################
# Dates and instants.  A date is a day number (days since 1970-01-01), an
# instant microseconds since the epoch; +-infinity are Perl's infinities.
# The generated policies use fixed-offset zones only (no daylight saving in
# 2000-2030), so a local day starts at day * 86400 - offset seconds.

our $INF = 9**9**9;
# timestamptz ends before 294277-01-01 00:00 UTC
our $END_MICROS;

sub days_from_civil
{
	my ($y, $m, $d) = @_;
	$y -= $m <= 2;
	my $era = int(($y >= 0 ? $y : $y - 399) / 400);
	my $yoe = $y - $era * 400;
	my $doy = int((153 * ($m + ($m > 2 ? -3 : 9)) + 2) / 5) + $d - 1;
	my $doe = $yoe * 365 + int($yoe / 4) - int($yoe / 100) + $doy;
	return $era * 146097 + $doe - 719468;
}

sub civil_from_days
{
	my ($z) = @_;
	$z += 719468;
	my $era = int(($z >= 0 ? $z : $z - 146096) / 146097);
	my $doe = $z - $era * 146097;
	my $yoe = int(($doe - int($doe / 1460) + int($doe / 36524) - int($doe / 146096)) / 365);
	my $y = $yoe + $era * 400;
	my $doy = $doe - (365 * $yoe + int($yoe / 4) - int($yoe / 100));
	my $mp = int((5 * $doy + 2) / 153);
	my $d = $doy - int((153 * $mp + 2) / 5) + 1;
	my $m = $mp + ($mp < 10 ? 3 : -9);
	return ($y + ($m <= 2), $m, $d);
}

$END_MICROS = Math::BigInt->new(days_from_civil(294277, 1, 1)) * 86_400_000_000;

sub day_text { sprintf '%04d-%02d-%02d', civil_from_days($_[0]) }

# the first microsecond of local day $day in a zone $off seconds east of UTC
sub day_start
{
	my ($day, $off) = @_;
	return $day if $day == $INF || $day == -$INF;
	return ($day * 86400 - $off) * 1_000_000;
}

# the local day and microseconds into it of a finite day or instant
sub local_day
{
	my ($ctx, $v) = @_;
	return ($v->[1], 0) if $v->[0] eq 'd';
	my $local = $v->[1] + $ctx->{offset} * 1_000_000;
	my $day = POSIX::floor($local / 86_400_000_000);
	return ($day, $local - $day * 86_400_000_000);
}

# ISO weekday, 1 Monday .. 7 Sunday (1970-01-01, day 0, was a Thursday)
sub iso_weekday { ((($_[0] % 7) + 7) % 7 + 3) % 7 + 1 }

# day + months, the day of the month clamped to the month's end
sub add_months
{
	my ($day, $months) = @_;
	my ($y, $m, $d) = civil_from_days($day);
	my $total = $y * 12 + ($m - 1) + $months;
	my $ny = POSIX::floor($total / 12);
	my $nm = $total - $ny * 12 + 1;
	my ($fy, $fm) = $nm == 12 ? ($ny + 1, 1) : ($ny, $nm + 1);
	my $last = days_from_civil($fy, $fm, 1) - days_from_civil($ny, $nm, 1);
	return days_from_civil($ny, $nm, $d > $last ? $last : $d);
}

# working days of a calendar, by walking (the C code counts by weeks)
sub is_working
{
	my ($cal, $day) = @_;
	return 0 if ($cal->{weekend} >> (iso_weekday($day) - 1)) & 1;
	return !grep { $_ == $day } @{ $cal->{holidays} };
}

sub working_count
{
	my ($cal, $from, $to) = @_;
	return -working_count($cal, $to, $from) if $to < $from;
	my $weeks = int(($to - $from) / 7);
	my $per_week = grep { !(($cal->{weekend} >> $_) & 1) } 0 .. 6;
	my $n = $weeks * $per_week;
	for (my $d = $from + 7 * $weeks + 1; $d <= $to; $d++) { $n++ if is_working($cal, $d); }
	# holidays on working weekdays inside the whole weeks
	$n -= grep { $_ > $from && $_ <= $from + 7 * $weeks && !(($cal->{weekend} >> (iso_weekday($_) - 1)) & 1) }
		@{ $cal->{holidays} };
	return $n;
}

sub working_add
{
	my ($cal, $day, $k) = @_;
	my $step = $k < 0 ? -1 : 1;
	for (1 .. abs($k))
	{
		do { $day += $step } until is_working($cal, $day);
	}
	return $day;
}

###########################################################################
# What random policies and rows are made of (the generator itself is in
# CompensationOracleGen.pm).  All randomness comes from Perl's rand, seeded
# by the caller with srand (drand48, the same sequence on every platform).

sub pick { $_[ int(rand(@_)) ] }
sub chance { rand() < $_[0] }

our @ZONES = ([ 'UTC', 0 ], [ 'Asia/Seoul', 32400 ], [ 'Asia/Kolkata', 19800 ]);
our %EXPONENT = (USD => 2, KRW => 0, KWD => 3, JPY => 0);
our %MONEY = map { $_ => 1 } qw(cash deposit fee refund voucher);
our @MODES = qw(half_up half_even floor ceiling);
our @RATIO_UNITS = qw(minutes hours days months years);

# Literal numbers that the rows also hold, so that equalities hit.
our @NUM_LITS = qw(0 1 2 3 5 7 10 100 0.5 2.5 1.5 0.005 0.125 1.005 12.34 99.99
  1000 12345.678 0.333 1000000 9223372036854775807 92233720368547758.07
  0.000000000000000001 4611686018427387904 3037000499 1.0 1.00 0.10 3.5);
our @STR_LITS = ('', 'a', 'b', 'ab', 'A', 'x y', "it's", "\xc3\xa9", 'ticket');

# The row type: name => kind.
our @COLUMNS = (
	[ n => 'numeric' ], [ m => 'numeric' ], [ i => 'integer' ], [ b => 'bigint' ],
	[ k => 'smallint' ], [ s => 'text' ], [ f => 'boolean' ], [ g => 'boolean' ], [ d => 'date' ],
	[ ts => 'timestamptz' ], [ l => 'timestamp' ]);

our @DAYS = map { days_from_civil(@$_) } ([ 2025, 6, 9 ], [ 2025, 6, 13 ], [ 2025, 6, 14 ],
	[ 2024, 2, 29 ], [ 2000, 1, 1 ], [ 2030, 12, 31 ], [ 2025, 6, 20 ], [ 2025, 1, 1 ]);

###########################################################################
# Decision table cells: printed, and passed or not.

sub pcell
{
	my ($c) = @_;
	return 'any' if $c->[0] eq 'any';
	return ($c->[1] eq '=' ? '' : "$c->[1] ") . (pn($c->[2]))[0] if $c->[0] eq 'ctest';
	return (pn($c->[1]))[0] . ($c->[3] ? ' ..< ' : ' .. ') . (pn($c->[2]))[0] if $c->[0] eq 'crange';
	return 'in (' . join(', ', map { (pn($_))[0] } @{ $c->[1] }) . ')';
}

# does the input pass the cell? (an unknown comparison does not)
sub cell_passes
{
	my ($ctx, $c, $in) = @_;
	return 1 if $c->[0] eq 'any';
	return 0 if !defined $in || marker($in);
	if ($c->[0] eq 'ctest')
	{
		my $m = cmp_values($ctx, $c->[1], $in, ev($ctx, $c->[2]));
		return defined $m && $m ? 1 : 0;
	}
	if ($c->[0] eq 'crange')
	{
		my $m = cmp_values($ctx, '>=', $in, ev($ctx, $c->[1]));
		return 0 unless defined $m && $m;
		$m = cmp_values($ctx, $c->[3] ? '<' : '<=', $in, ev($ctx, $c->[2]));
		return defined $m && $m ? 1 : 0;
	}
	for my $v (@{ $c->[1] })
	{
		my $m = cmp_values($ctx, '=', $in, ev($ctx, $v));
		return 1 if defined $m && $m;
	}
	return 0;
}

###########################################################################
# Printing (minimal parentheses, sometimes more).

my %PREC = ('+' => 5, '-' => 5, '*' => 6, '/' => 6);

sub wrap { my ($s, $need) = @_; $need ? "($s)" : $s }

# returns (text, precedence)
sub pn
{
	my ($e) = @_;
	my $t = $e->[0];
	my ($s, $p);
	if ($t eq 'lit') { ($s, $p) = ($e->[1], 9); }
	elsif ($t eq 'col' || $t eq 'let' || $t eq 'dcol' || $t eq 'bcol') { ($s, $p) = ($e->[1], 9); }
	elsif ($t eq 'null') { ($s, $p) = ('null', 9); }
	elsif ($t eq 'none') { ($s, $p) = ('none', 9); }
	elsif ($t eq 'review') { ($s, $p) = ("review '" . q_($e->[1]) . "'", 9); }
	elsif ($t eq 'str') { ($s, $p) = ("'" . q_($e->[1]) . "'", 9); }
	elsif ($t eq 'blit') { ($s, $p) = ($e->[1] ? 'true' : 'false', 9); }
	elsif ($t eq 'dlit') { ($s, $p) = (day_text($e->[1]), 9); }
	elsif ($t eq 'builtin') { ($s, $p) = ($e->[1], 9); }
	elsif ($t eq 'span') { ($s, $p) = ("$e->[1](" . (pn($e->[2]))[0] . ', ' . (pn($e->[3]))[0] . ')', 9); }
	elsif ($t eq 'dim') { ($s, $p) = ('days_in_month(' . (pn($e->[1]))[0] . ')', 9); }
	elsif ($t eq 'dpart') { ($s, $p) = ("$e->[1](" . (pn($e->[2]))[0] . ')', 9); }
	elsif ($t eq 'dateof') { ($s, $p) = ('date(' . (pn($e->[1]))[0] . ')', 9); }
	elsif ($t eq 'wspan') { ($s, $p) = ('working_days(' . (pn($e->[1]))[0] . ', ' . (pn($e->[2]))[0] . ')', 9); }
	elsif ($t eq 'ratio') { ($s, $p) = ("$e->[1] $e->[2] / $e->[3] $e->[4]", 6); }
	elsif ($t eq 'dadd') { ($s, $p) = ((pn($e->[1]))[0] . " $e->[2] $e->[3] $e->[4]", 5); }
	elsif ($t eq 'tslit') { ($s, $p) = (sprintf('%s %02d:%02d', day_text($e->[1]), $e->[2], $e->[3]), 9); }
	elsif ($t eq 'lower') { ($s, $p) = ('lower(' . (pn($e->[1]))[0] . ')', 9); }
	elsif ($t eq 'bin')
	{
		my $op = $e->[1];
		my ($l, $lp) = pn($e->[2]);
		my ($r, $rp) = pn($e->[3]);
		$s = wrap($l, $lp < $PREC{$op} || chance(0.05)) . " $op " . wrap($r, $rp <= $PREC{$op} || chance(0.05));
		$p = $PREC{$op};
	}
	elsif ($t eq 'neg')
	{
		my ($o, $op) = pn($e->[1]);
		$s = '-' . wrap($o, $op < 7 || $o =~ /^-/);
		$p = 7;
	}
	elsif ($t eq 'pct')
	{
		my ($o, $op) = pn($e->[1]);
		$s = wrap($o, $op < 9 || $e->[1][0] eq 'null') . '%';
		$p = 8;
	}
	elsif ($t eq 'fn') { ($s, $p) = ($e->[1] . '(' . join(', ', map { (pn($_))[0] } @{ $e->[2] }) . ')', 9); }
	elsif ($t eq 'abs') { ($s, $p) = ('abs(' . (pn($e->[1]))[0] . ')', 9); }
	elsif ($t eq 'round')
	{
		$s = 'round(' . (pn($e->[1]))[0] . ", $e->[2]" . (defined $e->[3] ? ", $e->[3]" : '') . ')';
		$p = 9;
	}
	elsif ($t eq 'tier')
	{
		$s = 'tier ' . (pn($e->[1]))[0];
		$s .= " $_->[2] " . (pn($_->[0]))[0] . ' => ' . (pn($_->[1]))[0] for @{ $e->[2] };
		$s .= ' else ' . (pn($e->[3]))[0] if defined $e->[3];
		$s .= ' end';
		$p = 9;
	}
	elsif ($t eq 'case')
	{
		$s = 'case';
		$s .= ' when ' . (pc($_->[0]))[0] . ' then ' . (pn($_->[1]))[0] for @{ $e->[1] };
		$s .= ' else ' . (pn($e->[2]))[0] if defined $e->[2];
		$s .= ' end';
		$p = 9;
	}
	elsif ($t eq 'scase')
	{
		$s = 'case ' . (pn($e->[1]))[0];
		$s .= ' when ' . join(', ', map { (pn($_))[0] } @{ $_->[0] }) . ' then ' . (pn($_->[1]))[0]
			for @{ $e->[2] };
		$s .= ' else ' . (pn($e->[3]))[0] if defined $e->[3];
		$s .= ' end';
		$p = 9;
	}
	elsif ($t eq 'dtable')
	{
		$s = 'table (' . join(', ', map { (pn($_))[0] } @{ $e->[2] }) . ") $e->[1]";
		$s .= ' when ' . join(', ', map { pcell($_) } @{ $_->[0] }) . ' then ' . (pn($_->[1]))[0] for @{ $e->[3] };
		$s .= ' else ' . (pn($e->[4]))[0] if defined $e->[4];
		$s .= ' end';
		$p = 9;
	}
	else { die "pn $t"; }
	return ($s, $p);
}

sub q_ { (my $s = $_[0]) =~ s/'/''/g; $s }

# conditions: (text, precedence) with or 1, and 2, not 3, predicates 4
sub pc
{
	my ($c) = @_;
	my $t = $c->[0];
	if ($t eq 'and' || $t eq 'or')
	{
		my $pr = $t eq 'and' ? 2 : 1;
		my ($l, $lp) = pc($c->[1]);
		my ($r, $rp) = pc($c->[2]);
		return (wrap($l, $lp < $pr) . " $t " . wrap($r, $rp <= $pr), $pr);
	}
	if ($t eq 'not')
	{
		my ($o, $op) = pc($c->[1]);
		return ('not ' . wrap($o, $op < 3), 3);
	}
	if ($t eq 'cmp') { return ((pn($c->[2]))[0] . " $c->[1] " . (pn($c->[3]))[0], 4); }
	if ($t eq 'inlist')
	{
		return ((pn($c->[2]))[0] . ($c->[1] ? ' not' : '') . ' in (' . join(', ', map { (pn($_))[0] } @{ $c->[3] }) . ')', 4);
	}
	if ($t eq 'inrange')
	{
		my ($s) = pn($c->[2]);
		return ("$s" . ($c->[1] ? ' not' : '') . ' between ' . (pn($c->[3]))[0] . ' and ' . (pn($c->[4]))[0], 4)
			if $c->[6];
		return ("$s" . ($c->[1] ? ' not' : '') . ' in ' . (pn($c->[3]))[0] . ($c->[5] ? ' ..< ' : ' .. ') . (pn($c->[4]))[0], 4);
	}
	if ($t eq 'isnull') { return ((pn($c->[2]))[0] . ' is ' . ($c->[1] ? 'not ' : '') . 'null', 4); }
	if ($t eq 'during') { return ((pn($c->[2]))[0] . ($c->[1] ? ' not' : '') . ' during outage', 4); }
	if ($t eq 'bcol' || $t eq 'blit') { return ((pn($c))[0], 9); }
	if ($t eq 'tfn') { return ("$c->[1](" . (pn($c->[2]))[0] . ', ' . (pn($c->[3]))[0] . ')', 9); }
	die "pc $t";
}

sub award_text
{
	my ($a) = @_;
	my $t = award_line_text($a);
	$t .= ' bearer ' . (pn($a->{bearer}))[0] if $a->{bearer};
	return $t;
}

sub award_line_text
{
	my ($a) = @_;
	my $k = $a->{kind};
	my $w = sub {
		my $x = $a->{window} or return '';
		return ' due by ' . (pn($x->[1]))[0] if $x->[0] eq 'due';
		return " $x->[3] " . (pn($x->[0]))[0] . ($x->[2] ? ' ..< ' : ' .. ') . (pn($x->[1]))[0];
	};
	return "$k $a->{instr} " . (pn($a->{expr}))[0] . $a->{round} . $w->() if $k eq 'credit' || $k eq 'waive';
	if ($k eq 'grant')
	{
		return "grant $a->{instr}" . ($a->{expr} ? ' ' . (pn($a->{expr}))[0] : '')
			. (defined $a->{for} ? " for $a->{for} days" : '') . ($a->{expr} ? $a->{round} : '') . $w->();
	}
	return "flag $a->{instr}" . $w->() if $k eq 'flag';
	return "review '" . q_($a->{note}) . "'" if $k eq 'review';
	if (defined $a->{by})
	{
		my ($t, $p) = pn($a->{by});
		return "extend $a->{col} by " . wrap($t, $p < 9) . " $a->{unit}";
	}
	return "extend $a->{col} by outage" if $a->{outage};
	return "extend $a->{col} to " . day_text($a->{to});
}

sub policy_text
{
	my ($p) = @_;
	my $s = "policy \"$p->{name}\"\ncurrency $p->{currency}\ntimezone \"$p->{zone}\"\nhit $p->{hit}\n";
	if (my $r = $p->{rounding}) { $s .= "rounding $r->[0]" . (defined $r->[1] ? " to $r->[1]" : '') . "\n"; }
	if ($p->{calendar} && $p->{calendar}{shared})
	{
		# defined in the catalog first (calendar_sql)
		$s .= "calendar \"cal-$p->{name}\" shared\n";
	}
	elsif ($p->{calendar})
	{
		my $c = $p->{calendar};
		my @wd = qw(monday tuesday wednesday thursday friday saturday sunday);
		my @we = grep { ($c->{weekend} >> $_) & 1 } 0 .. 6;
		$s .= "calendar \"c\" weekend " . (@we ? join(', ', map { $wd[$_] } @we) : 'none');
		$s .= ' holidays ' . join(', ', map { day_text($_) } @{ $c->{holidays} }) if @{ $c->{holidays} };
		$s .= "\n";
	}
	$s .= "outage $_->[2]\n" for @{ $p->{outages} };
	$s .= "column $_ minor\n" for sort keys %{ $p->{minor} };
	$s .= "param $_->[0] = " . (pn($_->[1]))[0] . "\n" for @{ $p->{params} };
	$s .= "let $_->[0] = " . (pn($_->[1]))[0] . "\n" for @{ $p->{lets} };
	$s .= "$_->[0] $_->[1] " . (pn($_->[2]))[0] . "\n" for @{ $p->{limits} };
	for my $r (@{ $p->{rules} })
	{
		$s .= "\nrule \"$r->{name}\"\n";
		$s .= '  when ' . (pc($r->{when}))[0] . "\n" if $r->{when};
		$s .= "  let $_->[0] = " . (pn($_->[1]))[0] . "\n" for @{ $r->{lets} };
		$s .= '  ' . award_text($_) . "\n" for @{ $r->{awards} };
		$s .= "end\n";
	}
	return $s;
}

# the statement that defines a policy's shared calendar, or undef
sub calendar_sql
{
	my ($p) = @_;
	my $c = $p->{calendar};
	return undef unless $c && $c->{shared};
	my @wd = qw(monday tuesday wednesday thursday friday saturday sunday);
	return "DO \$\$ BEGIN PERFORM compensation.define_calendar('cal-$p->{name}', '{"
		. join(',', map { $wd[$_] } grep { ($c->{weekend} >> $_) & 1 } 0 .. 6) . "}', '{"
		. join(',', map { day_text($_) } @{ $c->{holidays} }) . "}'); END \$\$;";
}

# the overrides of a policy's parameters as a JSON object, or undef
sub overrides_json
{
	my ($p) = @_;
	my $o = $p->{overrides};
	return undef unless %$o;
	return '{' . join(', ', map { "\"$_\": $o->{$_}[0]" } sort keys %$o) . '}';
}

###########################################################################
# The oracle.  Values: undef (NULL), [n, rat], [s, bytes], [b, 0|1],
# [d, day], [t, micros], [r, note] (a review), [x] (none).

sub col_value
{
	my ($ctx, $name) = @_;
	my $v = $ctx->{row}{$name};
	return undef unless defined $v;
	my %kind = map { @$_ } @COLUMNS;
	my $k = $kind{$name};
	if ($k eq 'numeric' || $k eq 'integer' || $k eq 'bigint' || $k eq 'smallint')
	{
		fail_('22000', "NaN in $name") if $v eq 'NaN';
		fail_('22003', "infinite $name") if $v =~ /Infinity/;
		my $r = $v =~ /e/ ? rat(Math::BigInt->new($v)) : rat_dec($v);
		fail_('22003', "value of column $name out of range") unless rat_fits($r) && $r->[0] != -$MAX - 1;
		# a column in minor units: divided by 10^exponent, exactly
		$r = chk(rat($r->[0], $r->[1] * Math::BigInt->new(10)->bpow($EXPONENT{ $ctx->{currency} })))
			if $ctx->{minor}{$name};
		return [ 'n', $r ];
	}
	return [ 's', $v ] if $k eq 'text';
	return [ 'b', $v ] if $k eq 'boolean';
	return [ 'd', $v ] if $k eq 'date';
	return [ 't', $v ] if $k eq 'timestamptz';
	# local time in the policy's zone
	return [ 't', ($v == $INF || $v == -$INF) ? $v : $v - $ctx->{offset} * 1_000_000 ] if $k eq 'timestamp';
	die;
}

sub let_value
{
	my ($ctx, $name) = @_;
	return $ctx->{memo}{$name} if exists $ctx->{memo}{$name};
	my $e = $ctx->{letdefs}{$name} or die "let $name";
	my $v = ev($ctx, $e);
	$ctx->{memo}{$name} = $v;
	return $v;
}

# none and review are values that no operator looks into: the first one an
# operator meets is its result (unlike NULL, which min and max skip and
# coalesce passes over); a condition on one is unknown; neither is null.
sub marker { $_[0][0] eq 'x' || $_[0][0] eq 'r' }

sub ev
{
	my ($ctx, $e) = @_;
	my $t = $e->[0];
	return [ 'n', rat_dec($e->[1]) ] if $t eq 'lit';
	return col_value($ctx, $e->[1]) if $t eq 'col' || $t eq 'dcol' || $t eq 'bcol';
	return undef if $t eq 'null';
	return [ 'x' ] if $t eq 'none';
	return [ 'r', $e->[1] ] if $t eq 'review';
	return [ 's', $e->[1] ] if $t eq 'str';
	return [ 'b', $e->[1] ] if $t eq 'blit';
	return [ 'd', $e->[1] ] if $t eq 'dlit';
	return [ 't', ($e->[1] * 86400 + $e->[2] * 3600 + $e->[3] * 60 - $ctx->{offset}) * 1_000_000 ] if $t eq 'tslit';
	return let_value($ctx, $e->[1]) if $t eq 'let';
	if ($t eq 'builtin')
	{
		my @w = @{ $ctx->{outages} };
		my $total = 0;
		$total += $_->[1] - $_->[0] for @w;
		return [ 'n', rat($total, 3_600_000_000) ] if $e->[1] eq 'outage_hours';
		return [ 'n', rat($total, 86_400_000_000) ] if $e->[1] eq 'outage_days';
		return [ 't', (sort { $a <=> $b } map { $_->[0] } @w)[0] ] if $e->[1] eq 'outage_start';
		return [ 't', (sort { $b <=> $a } map { $_->[1] } @w)[0] ];
	}
	if ($t eq 'lower')
	{
		my $v = ev($ctx, $e->[1]);
		return $v unless defined $v;
		(my $l = $v->[1]) =~ tr/A-Z/a-z/;
		return [ 's', $l ];
	}
	if ($t eq 'span')
	{
		# hours(a, b), days(a, b): b - a, a day counting from its start
		my $a = ev($ctx, $e->[2]);
		return undef unless defined $a;
		my $b = ev($ctx, $e->[3]);
		return undef unless defined $b;
		my @i = map { $_->[0] eq 'd' ? day_start($_->[1], $ctx->{offset}) : $_->[1] } ($a, $b);
		fail_('22003', 'infinite span') if grep { $_ == $INF || $_ == -$INF } @i;
		return [ 'n', rat($i[1] - $i[0], $e->[1] eq 'hours' ? 3_600_000_000 : 86_400_000_000) ];
	}
	if ($t eq 'dpart' || $t eq 'dateof')
	{
		my $a = ev($ctx, $t eq 'dpart' ? $e->[2] : $e->[1]);
		return undef unless defined $a;
		fail_('22008', 'the local date of an infinite time') if $a->[1] == $INF || $a->[1] == -$INF;
		my ($day, $usec) = local_day($ctx, $a);
		return [ 'd', $day ] if $t eq 'dateof';
		my ($y, $m, $d) = civil_from_days($day);
		my %part = (year => $y, month => $m, day => $d, weekday => iso_weekday($day),
			hour => int($usec / 3_600_000_000));
		return [ 'n', rat($part{ $e->[1] }) ];
	}
	if ($t eq 'wspan')
	{
		my $a = ev($ctx, $e->[1]);
		return undef unless defined $a;
		fail_('22008', 'infinite') if $a->[1] == $INF || $a->[1] == -$INF;
		my $b = ev($ctx, $e->[2]);
		return undef unless defined $b;
		fail_('22008', 'infinite') if $b->[1] == $INF || $b->[1] == -$INF;
		my ($da) = local_day($ctx, $a);
		my ($db) = local_day($ctx, $b);
		return [ 'n', rat(working_count($ctx->{calendar}, $da, $db)) ];
	}
	if ($t eq 'ratio')
	{
		# a duration over a duration: a number when both are of one measure
		my %measure = (minutes => 't', hours => 't', days => 'd', months => 'm', years => 'm');
		my %size = (minutes => 60, hours => 3600, days => 1, months => 1, years => 12);
		my ($a, $ua, $b, $ub) = @$e[ 1 .. 4 ];
		fail_('22012', 'division by zero') if $b == 0;
		fail_('42804', 'durations of two measures') if $a != 0 && $measure{$ua} ne $measure{$ub};
		return [ 'n', rat($a * $size{$ua}, $b * $size{$ub}) ];
	}
	if ($t eq 'dim')
	{
		my $a = ev($ctx, $e->[1]);
		return undef unless defined $a;
		fail_('22008', 'infinite day') if $a->[1] == $INF || $a->[1] == -$INF;
		my $day = $a->[1];
		$day = POSIX::floor(($a->[1] + $ctx->{offset} * 1_000_000) / 86_400_000_000) if $a->[0] eq 't';
		my ($y, $m) = civil_from_days($day);
		my ($ny, $nm) = $m == 12 ? ($y + 1, 1) : ($y, $m + 1);
		return [ 'n', rat(days_from_civil($ny, $nm, 1) - days_from_civil($y, $m, 1)) ];
	}
	if ($t eq 'dadd')
	{
		my $a = ev($ctx, $e->[1]);
		return undef unless defined $a;
		return $a if $a->[1] == $INF || $a->[1] == -$INF;
		my $k = $e->[2] eq '-' ? -$e->[3] : $e->[3];
		if ($e->[4] ne 'days' && $e->[4] ne 'hours')
		{
			# months, years, working days: on the local date, the wall clock kept
			my ($day, $usec) = local_day($ctx, $a);
			my $nd = $e->[4] eq 'working days' ? working_add($ctx->{calendar}, $day, $k)
				: add_months($day, $e->[4] eq 'years' ? 12 * $k : $k);
			return [ 'd', $nd ] if $a->[0] eq 'd';
			return [ 't', ($nd * 86400 - $ctx->{offset}) * 1_000_000 + $usec ];
		}
		return [ 'd', $a->[1] + $k ] if $a->[0] eq 'd';
		return [ 't', $a->[1] + $k * ($e->[4] eq 'days' ? 86400 : 3600) * 1_000_000 ];
	}
	if ($t eq 'bin')
	{
		my $l = ev($ctx, $e->[2]);
		return $l if !defined $l || marker($l);
		my $r = ev($ctx, $e->[3]);
		return $r if !defined $r || marker($r);
		my $op = $e->[1];
		return [ 'n', radd($l->[1], $r->[1]) ] if $op eq '+';
		return [ 'n', rsub($l->[1], $r->[1]) ] if $op eq '-';
		return [ 'n', rmul($l->[1], $r->[1]) ] if $op eq '*';
		return [ 'n', rdiv($l->[1], $r->[1]) ];
	}
	if ($t eq 'neg')
	{
		my $v = ev($ctx, $e->[1]);
		return $v if !defined $v || marker($v);
		return [ 'n', rneg($v->[1]) ];
	}
	if ($t eq 'abs')
	{
		my $v = ev($ctx, $e->[1]);
		return $v if !defined $v || marker($v);
		return [ 'n', rabs($v->[1]) ];
	}
	if ($t eq 'pct')
	{
		my $v = ev($ctx, $e->[1]);
		return $v if !defined $v || marker($v);
		return [ 'n', rdiv($v->[1], rat(100)) ];
	}
	if ($t eq 'fn')
	{
		my $f = $e->[1];
		if ($f eq 'coalesce')
		{
			for my $a (@{ $e->[2] })
			{
				my $v = ev($ctx, $a);
				return $v if defined $v;
			}
			return undef;
		}
		my $best;
		for my $a (@{ $e->[2] })
		{
			my $v = ev($ctx, $a);
			next unless defined $v;
			return $v if marker($v);
			my $c = defined $best ? rcmp($v->[1], $best->[1]) : 0;
			$best = $v if !defined $best || ($f eq 'min' ? $c < 0 : $c > 0);
		}
		return $best;
	}
	if ($t eq 'round')
	{
		my $v = ev($ctx, $e->[1]);
		return $v if !defined $v || marker($v);
		my $inc = defined $e->[3] ? rat_dec($e->[3]) : rat(1);
		my $x = $v->[1];
		my ($q) = round_int($x->[0] * $inc->[1], $x->[1] * $inc->[0], $e->[2]);
		fail_('22003', 'round out of range') unless $q->copy->babs <= $MAX;
		return [ 'n', chk(rat($q * $inc->[0], $inc->[1])) ];
	}
	if ($t eq 'tier')
	{
		my $s = ev($ctx, $e->[1]);
		return undef unless defined $s;
		return $s if marker($s);
		for my $step (@{ $e->[2] })
		{
			my $b = ev($ctx, $step->[0]);
			next if !defined $b || marker($b);
			my $c = rcmp($s->[1], $b->[1]);
			return ev($ctx, $step->[1]) if $step->[2] eq 'below' ? $c < 0 : $c <= 0;
		}
		return defined $e->[3] ? ev($ctx, $e->[3]) : [ 'x' ];
	}
	if ($t eq 'case')
	{
		for my $arm (@{ $e->[1] })
		{
			my $c = cond($ctx, $arm->[0]);
			return ev($ctx, $arm->[1]) if defined $c && $c;
		}
		return defined $e->[2] ? ev($ctx, $e->[2]) : undef;
	}
	if ($t eq 'scase')
	{
		my $s = ev($ctx, $e->[1]);
		if (defined $s && !marker($s))
		{
			for my $arm (@{ $e->[2] })
			{
				for my $v (@{ $arm->[0] })
				{
					my $m = cmp_values($ctx, '=', $s, ev($ctx, $v));
					return ev($ctx, $arm->[1]) if defined $m && $m;
				}
			}
		}
		return defined $e->[3] ? ev($ctx, $e->[3]) : undef;
	}
	if ($t eq 'dtable')
	{
		my ($hit, $inputs, $rows, $else) = @$e[ 1 .. 4 ];
		my @in = map { ev($ctx, $_) } @$inputs;
		my $matched;
		my $sum;
		for my $r (0 .. $#$rows)
		{
			my $pass = 1;
			for my $k (0 .. $#in)
			{
				$pass = cell_passes($ctx, $rows->[$r][0][$k], $in[$k]);
				last unless $pass;
			}
			next unless $pass;
			fail_('21000', 'two rows of a decision table match') if $hit ne 'collect' && defined $matched;
			$matched = $r;
			if ($hit eq 'collect')
			{
				my $v = ev($ctx, $rows->[$r][1]);
				next if !defined $v || $v->[0] eq 'x';
				return $v if $v->[0] eq 'r';
				fail_('42804', 'cannot add up ' . $v->[0]) unless $v->[0] eq 'n';
				$sum = defined $sum ? radd($sum, $v->[1]) : $v->[1];
				next;
			}
			last if $hit eq 'first';
		}
		return [ 'n', $sum // rat(0) ] if defined $matched && $hit eq 'collect';
		return ev($ctx, $rows->[$matched][1]) if defined $matched;
		return defined $else ? ev($ctx, $else) : undef;
	}
	die "ev $t";
}

# three-valued: 1, 0, undef
sub cmp_values
{
	my ($ctx, $op, $l, $r) = @_;
	return undef if !defined $l || !defined $r;
	return undef if marker($l) || marker($r);
	my $c;
	my ($lk, $rk) = ($l->[0], $r->[0]);
	if ($lk eq 'n' && $rk eq 'n') { $c = rcmp($l->[1], $r->[1]); }
	elsif ($lk eq 's' && $rk eq 's') { $c = $l->[1] cmp $r->[1]; }
	elsif ($lk eq 'b' && $rk eq 'b') { $c = $l->[1] <=> $r->[1]; }
	elsif ($lk eq 'd' && $rk eq 'd') { $c = $l->[1] <=> $r->[1]; }
	elsif ($lk eq 't' && $rk eq 't') { $c = $l->[1] <=> $r->[1]; }
	elsif ($lk eq 't' && $rk eq 'd')
	{
		# an instant against a local day: the day is [start, next start)
		my $t = $l->[1];
		my $st = day_start($r->[1], $ctx->{offset});
		my $en = day_start($r->[1] + 1, $ctx->{offset});
		return ($t >= $st && $t < $en) ? 1 : 0 if $op eq '=';
		return ($t >= $st && $t < $en) ? 0 : 1 if $op eq '<>';
		return $t < $st ? 1 : 0 if $op eq '<';
		return $t < $en ? 1 : 0 if $op eq '<=';
		return $t >= $en ? 1 : 0 if $op eq '>';
		return $t >= $st ? 1 : 0 if $op eq '>=';
	}
	else { fail_('42804', "cannot compare $lk with $rk"); }
	return $c == 0 ? 1 : 0 if $op eq '=';
	return $c != 0 ? 1 : 0 if $op eq '<>';
	return $c < 0 ? 1 : 0 if $op eq '<';
	return $c <= 0 ? 1 : 0 if $op eq '<=';
	return $c > 0 ? 1 : 0 if $op eq '>';
	return $c >= 0 ? 1 : 0 if $op eq '>=';
	die $op;
}

sub and3 { my ($a, $b) = @_; return 0 if (defined $a && !$a) || (defined $b && !$b); return (defined $a && defined $b) ? 1 : undef; }
sub not3 { my ($a) = @_; return defined $a ? ($a ? 0 : 1) : undef; }

sub cond
{
	my ($ctx, $c) = @_;
	my $t = $c->[0];
	if ($t eq 'and')
	{
		my $a = cond($ctx, $c->[1]);
		return 0 if defined $a && !$a;
		my $b = cond($ctx, $c->[2]);
		return and3($a, $b);
	}
	if ($t eq 'or')
	{
		my $a = cond($ctx, $c->[1]);
		return 1 if defined $a && $a;
		my $b = cond($ctx, $c->[2]);
		return 1 if defined $b && $b;
		return (defined $a && defined $b) ? 0 : undef;
	}
	return not3(cond($ctx, $c->[1])) if $t eq 'not';
	if ($t eq 'cmp')
	{
		my $l = ev($ctx, $c->[2]);
		my $r = ev($ctx, $c->[3]);
		return cmp_values($ctx, $c->[1], $l, $r);
	}
	if ($t eq 'bcol' || $t eq 'blit')
	{
		my $v = ev($ctx, $c);
		return defined $v ? $v->[1] : undef;
	}
	if ($t eq 'tfn')
	{
		my $a = ev($ctx, $c->[2]);
		my $b = ev($ctx, $c->[3]);
		return undef unless defined $a && defined $b;
		return index($a->[1], $b->[1]) == 0 ? 1 : 0 if $c->[1] eq 'starts_with';
		return index($a->[1], $b->[1]) >= 0 ? 1 : 0;
	}
	if ($t eq 'isnull')
	{
		my $v = ev($ctx, $c->[2]);
		my $isnull = defined $v ? 0 : 1;
		return $c->[1] ? 1 - $isnull : $isnull;
	}
	if ($t eq 'inlist')
	{
		my $s = ev($ctx, $c->[2]);
		my $res;
		if (defined $s)
		{
			$res = 0;
			for my $el (@{ $c->[3] })
			{
				my $m = cmp_values($ctx, '=', $s, ev($ctx, $el));
				if (defined $m && $m) { $res = 1; last; }
				$res = undef unless defined $m;
			}
			$res = undef if marker($s);
		}
		return $c->[1] ? not3($res) : $res;
	}
	if ($t eq 'inrange')
	{
		my $s = ev($ctx, $c->[2]);
		my $lo = ev($ctx, $c->[3]);
		my $hi = ev($ctx, $c->[4]);
		my $res;
		if (defined $s && $s->[0] eq 't' && $lo->[0] eq 'd')
		{
			# an instant in a range of days: from the first day's start to
			# the last day's end (or start, with ..<)
			my $st = day_start($lo->[1], $ctx->{offset});
			my $en = day_start($hi->[1] + ($c->[5] ? 0 : 1), $ctx->{offset});
			$res = ($s->[1] >= $st && $s->[1] < $en) ? 1 : 0;
		}
		elsif (defined $s)
		{
			$res = and3(cmp_values($ctx, '>=', $s, $lo), cmp_values($ctx, $c->[5] ? '<' : '<=', $s, $hi));
		}
		return $c->[1] ? not3($res) : $res;
	}
	if ($t eq 'during')
	{
		my $v = ev($ctx, $c->[2]);
		return undef unless defined $v;
		my ($st, $en) = $v->[0] eq 'd' ? (day_start($v->[1], $ctx->{offset}), day_start($v->[1] + 1, $ctx->{offset}))
			: ($v->[1], $v->[1] + 1);
		my $in = (grep { $st < $_->[1] && $_->[0] < $en } @{ $ctx->{outages} }) ? 1 : 0;
		return $c->[1] ? 1 - $in : $in;
	}
	die "cond $t";
}

# the amount of a credit, waive or grant line in minor units (or whole
# units), undef for no line, or [review, note]
sub amount
{
	my ($ctx, $a, $v) = @_;
	return undef if !defined $v || $v->[0] eq 'x';
	return $v if $v->[0] eq 'r';
	my $x = $v->[1];
	fail_('22000', 'negative award') if rsign($x) < 0;
	if ($MONEY{ $a->{instr} })
	{
		$x = chk(rmul($x, rat(Math::BigInt->new(10)->bpow($EXPONENT{ $ctx->{currency} }))));
	}
	my ($mode, $inc);
	my $pr = $ctx->{rounding};
	if ($a->{round} =~ /round (\w+)(?: to (\d+))?/)
	{
		$mode = $1;
		$inc = $2 // ($pr ? $pr->[1] : undef);
	}
	elsif ($pr) { ($mode, $inc) = @$pr; }
	$mode //= 'unset';
	$inc //= 1;
	my ($q, $inexact) = round_int($x->[0], $x->[1] * $inc, $mode);
	fail_('22000', 'needs rounding') if $inexact && $mode eq 'unset';
	my $res = $q * $inc;
	fail_('22003', 'amount out of range') unless $res->copy->babs <= $MAX;
	return undef if $res->is_zero;
	return "$res";
}

# lines as the server prints them (the first ten fields)
sub lines_text { join ';', map { join '|', (split /\|/, $_, -1)[ 0 .. 9 ] } @_ }

# One row: returns { lines => [...], matched => [rule flags], explain => [...] }
# or dies with an Error.  A line is a string
# rule|kind|instrument|amount|days|new_date|window_kind|from|until|note
sub eval_row
{
	my ($p, $row) = @_;
	my %letdefs = map { $_->[0] => $_->[1] } @{ $p->{lets} };
	# a parameter is a let of its value, or of the value with_params() gives
	$letdefs{ $_->[0] } = ($p->{overrides}{ $_->[0] } // [ undef, $_->[1] ])->[1] for @{ $p->{params} };
	my $ctx = { row => $row, offset => $p->{offset}, currency => $p->{currency}, outages => $p->{outages},
		rounding => $p->{rounding}, letdefs => \%letdefs, memo => {}, calendar => $p->{calendar},
		minor => $p->{minor} };
	my @rules = @{ $p->{rules} };
	my @matched = (0) x @rules;
	my @lines_of = map { [] } @rules;
	my $match = sub {
		my ($k) = @_;
		my $r = $rules[$k];
		local $ctx->{letdefs} = { %letdefs, map { $_->[0] => $_->[1] } @{ $r->{lets} } };
		my $memo = $ctx->{memo};
		local $ctx->{memo} = { %$memo };
		my $m = $r->{when} ? cond($ctx, $r->{when}) : 1;
		# policy lets computed in the rule stay computed
		for my $l (@{ $p->{lets} }, @{ $p->{params} }) { $memo->{ $l->[0] } = $ctx->{memo}{ $l->[0] } if exists $ctx->{memo}{ $l->[0] }; }
		return ($m, $ctx->{memo});
	};
	my $awards = sub {
		my ($k, $rmemo) = @_;
		my $r = $rules[$k];
		local $ctx->{letdefs} = { %letdefs, map { $_->[0] => $_->[1] } @{ $r->{lets} } };
		local $ctx->{memo} = $rmemo;
		my @out;
		for my $a (@{ $r->{awards} })
		{
			my $l = award_line($ctx, $r->{name}, $a);
			push @out, $l if defined $l;
		}
		return \@out;
	};
	my $wrap = sub {
		my ($k, $code) = @_;
		my @res = eval { $code->() };
		if (my $err = $@)
		{
			die $err unless ref $err;
			$err->[1] .= " in rule \"$rules[$k]{name}\"";
			die $err;
		}
		return @res;
	};
	if ($p->{hit} eq 'unique')
	{
		my ($first, $fmemo);
		for my $k (0 .. $#rules)
		{
			my ($m, $memo) = $wrap->($k, sub { $match->($k) });
			next unless $m;
			fail_('21000', "rules $rules[$first]{name} and $rules[$k]{name} both match") if defined $first;
			($first, $fmemo) = ($k, $memo);
		}
		if (defined $first)
		{
			$matched[$first] = 1;
			($lines_of[$first]) = $wrap->($first, sub { $awards->($first, $fmemo) });
		}
	}
	else
	{
		for my $k (0 .. $#rules)
		{
			my ($m, $memo) = $wrap->($k, sub { $match->($k) });
			next unless $m;
			$matched[$k] = 1;
			($lines_of[$k]) = $wrap->($k, sub { $awards->($k, $memo) });
			last if $p->{hit} eq 'first';
		}
	}
	apply_limits($ctx, $p, \@lines_of) if @{ $p->{limits} };
	return { matched => \@matched, lines_of => \@lines_of, lines => [ map { @$_ } @lines_of ] };
}

# Payout limits (issue 11), on the lines every rule collected: caps first,
# then minimums, each in the policy's order.  A limit looks at the lines of
# its instrument that carry an amount (credit, waive, grant), in rule order;
# its expression is read only when there are some: NULL or none limits
# nothing; it must be a number (42804), not negative, and a whole number of
# minor units (22000).  A cap cuts the line that crosses it to what is
# left and drops the lines after; a minimum drops them all if they total
# less.
sub apply_limits
{
	my ($ctx, $p, $lines_of) = @_;
	my @ordered = ((grep { $_->[0] eq 'cap' } @{ $p->{limits} }), (grep { $_->[0] eq 'minimum' } @{ $p->{limits} }));
	for my $lim (@ordered)
	{
		my ($kind, $instr, $e) = @$lim;
		my @at;
		for my $r (0 .. $#$lines_of)
		{
			for my $i (0 .. $#{ $lines_of->[$r] })
			{
				my @f = split /\|/, $lines_of->[$r][$i], -1;
				push @at, [ $r, $i ] if $f[2] eq $instr && $f[3] ne ''
					&& ($f[1] eq 'credit' || $f[1] eq 'waive' || $f[1] eq 'grant');
			}
		}
		next unless @at;
		my $v = ev($ctx, $e);
		next if !defined $v || $v->[0] eq 'x';
		fail_('42804', "the $kind of $instr is not a number") unless $v->[0] eq 'n';
		my $x = $v->[1];
		fail_('22000', "negative $kind") if rsign($x) < 0;
		if ($MONEY{$instr})
		{
			$x = rat($x->[0] * Math::BigInt->new(10)->bpow($EXPONENT{ $ctx->{currency} }), $x->[1]);
			fail_('22000', "$kind out of range") unless rat_fits($x);
		}
		fail_('22000', "$kind is not whole") unless $x->[1]->is_one && $x->[0] <= $MAX;
		my $limit = $x->[0];
		my $total = Math::BigInt->new(0);
		my %drop;
		for my $ri (@at)
		{
			my ($r, $i) = @$ri;
			my @f = split /\|/, $lines_of->[$r][$i], -1;
			my $amt = Math::BigInt->new($f[3]);
			if ($kind eq 'minimum') { $total += $amt; next; }
			my $left = $limit - $total;
			if ($amt <= $left) { $total += $amt; next; }
			if ($left > 0)
			{
				$f[3] = "$left";
				$lines_of->[$r][$i] = join '|', @f;
				$total = $limit->copy;
			}
			else { $drop{"$r $i"} = 1; }
		}
		if ($kind eq 'minimum' && $total < $limit) { $drop{"$_->[0] $_->[1]"} = 1 for @at; }
		for my $r (0 .. $#$lines_of)
		{
			my $i = 0;
			$lines_of->[$r] = [ grep { !$drop{ "$r " . $i++ } } @{ $lines_of->[$r] } ];
		}
	}
}

# a window's kind and [from, until) in microseconds; none if a bound is NULL
sub window_fields
{
	my ($ctx, $w) = @_;
	return ('', '', '') unless $w;
	if ($w->[0] eq 'due')
	{
		# due by a day (to its end) or an instant (at it or before): from
		# the unbounded past to the first instant too late
		my $hi = ev($ctx, $w->[1]);
		return ('', '', '') unless defined $hi;
		my $until = $hi->[0] eq 'd' ? day_start($hi->[1] + 1, $ctx->{offset}) : $hi->[1] + 1;
		return ('due', '-infinity', $until == $INF ? 'infinity' : $until == -$INF ? '-infinity' : $until);
	}
	my $lo = ev($ctx, $w->[0]);
	my $hi = ev($ctx, $w->[1]);
	return ('', '', '') unless defined $lo && defined $hi;
	my $from = $lo->[0] eq 'd' ? day_start($lo->[1], $ctx->{offset}) : $lo->[1];
	my $until = $hi->[0] eq 'd' ? day_start($hi->[1] + ($w->[2] ? 0 : 1), $ctx->{offset})
		: $hi->[1] + ($w->[2] ? 0 : 1);
	return ($w->[3], map { $_ == $INF ? 'infinity' : $_ == -$INF ? '-infinity' : $_ } $from, $until);
}

# A line with its bearer in the note field as "@NAME" (a line has a note or
# a bearer; NULL or '' is the company, and a review has none), evaluated
# after everything else of the line, as the server does.
sub award_line
{
	my ($ctx, $rule, $a) = @_;
	my $l = award_line_fields($ctx, $rule, $a);
	return $l unless defined $l && $a->{bearer};
	my @f = split /\|/, $l, -1;
	return $l if $f[1] eq 'review';
	my $b = ev($ctx, $a->{bearer});
	$f[9] = '@' . $b->[1] if defined $b && $b->[1] ne '';
	return join '|', @f;
}

sub award_line_fields
{
	my ($ctx, $rule, $a) = @_;
	my $k = $a->{kind};
	if ($k eq 'credit' || $k eq 'waive' || ($k eq 'grant' && $a->{expr}))
	{
		my $v = ev($ctx, $a->{expr});
		my $amt = amount($ctx, $a, $v);
		return undef unless defined $amt;
		# a review keeps the award's window (the evaluator reads it after)
		return join('|', $rule, 'review', $a->{instr}, '', '', '', window_fields($ctx, $a->{window}), $amt->[1])
			if ref $amt;
		my $days = $k eq 'grant' && defined $a->{for} ? $a->{for} : '';
		return undef if $k eq 'grant' && defined $a->{for} && $a->{for} == 0;
		return join('|', $rule, $k, $a->{instr}, $amt, $days, '', window_fields($ctx, $a->{window}), '');
	}
	if ($k eq 'grant')
	{
		return undef if defined $a->{for} && $a->{for} == 0;
		return join('|', $rule, 'grant', $a->{instr}, '', $a->{for} // '', '', window_fields($ctx, $a->{window}), '');
	}
	if ($k eq 'flag') { return join('|', $rule, 'flag', $a->{instr}, '', '', '', window_fields($ctx, $a->{window}), ''); }
	if ($k eq 'review') { return join('|', $rule, 'review', '', '', '', '', '', '', '', $a->{note}); }
	if ($k eq 'extend')
	{
		# the column first: a NULL one is no line, whatever the duration
		my $v = col_value($ctx, $a->{col});
		return undef unless defined $v;
		my $by;
		if (defined $a->{by})
		{
			# an infinite date is not moved (the docs), and then the
			# duration is not looked at
			return undef if $v->[1] == $INF || $v->[1] == -$INF;
			my $k = ev($ctx, $a->{by});
			return undef if !defined $k || marker($k);
			$by = $k->[1];
			# the duration is made first (the evaluator's make_duration),
			# then its sign is looked at: hours are a whole number of
			# microseconds within 64 bits (a fraction of an hour is fine: a
			# column in minor units gives one); days, months and years are
			# whole, within 32 bits
			if ($a->{unit} eq 'hours')
			{
				my $u = rat($by->[0] * 3_600_000_000, $by->[1]);
				fail_('22003', 'duration out of range') unless rat_fits($u);
				fail_('22000', 'not a whole number of microseconds') unless $u->[1]->is_one;
				$by = $u->[0];
			}
			else
			{
				fail_('22000', 'not a whole number of days') unless $by->[1]->is_one;
				fail_('22003', 'duration out of range')
					if $by->[0]->copy->babs * ($a->{unit} eq 'years' ? 12 : 1) > 2147483647;
				$by = $by->[0];
			}
			fail_('22000', 'negative extension') if $by < 0;
			return undef if $by == 0;
		}
		my $cur = $v->[1];
		my $isdate = $a->{col} eq 'd';
		my ($new, $days);
		if ($a->{outage})
		{
			return undef if $cur == $INF || $cur == -$INF;
			my $total = 0;
			$total += $_->[1] - $_->[0] for @{ $ctx->{outages} };
			$new = ($isdate ? day_start($cur, $ctx->{offset}) : $cur) + $total;
			# whole local days (every window from a local midnight to one)
			# are calendar days; otherwise the exact length, no days
			my $whole = !grep { ($_ + $ctx->{offset} * 1_000_000) % 86_400_000_000 }
				map { @$_[ 0, 1 ] } @{ $ctx->{outages} };
			$days = $whole ? $total / 86_400_000_000 : '';
		}
		elsif (defined $by)
		{
			# an infinite date is not moved (the docs); to a date, it is
			# compared like any other (the regression test evaluate.sql)
			return undef if $cur == $INF || $cur == -$INF;
			if ($a->{unit} =~ /months|years|working/)
			{
				# on the local date, the wall clock kept; the days added are
				# the calendar days between
				my ($day, $usec) = local_day($ctx, $v);
				my $nd = $a->{unit} eq 'working days' ? working_add($ctx->{calendar}, $day, $by)
					: add_months($day, $by * ($a->{unit} eq 'years' ? 12 : 1));
				my ($ny) = civil_from_days($nd);
				fail_('22008', 'time out of range') if $ny > 294276;
				$new = Math::BigInt->new($nd) * 86_400_000_000 + $usec - $ctx->{offset} * 1_000_000;
				fail_('22008', 'time out of range') if $new >= $END_MICROS;
				$new = "$new";
				$days = $nd - $day;
				my $unit = 'by';
				return join('|', $rule, 'extend', $a->{col}, '', $days, $new, '', '', '', '', $unit);
			}
			my $micros = $a->{unit} eq 'days' ? Math::BigInt->new($by) * 86_400_000_000 : Math::BigInt->new($by);
			$new = $isdate ? Math::BigInt->new(day_start($cur, $ctx->{offset})) + $micros : $micros + $cur;
			fail_('22008', 'time out of range') if $new >= $END_MICROS;
			$new = "$new";
			$days = $a->{unit} eq 'days' ? "$by" : '';
		}
		else
		{
			my $curstart = $isdate ? day_start($cur, $ctx->{offset}) : $cur;
			$new = day_start($a->{to}, $ctx->{offset});
			return undef if $new <= $curstart;
			$days = '';
		}
		# an eleventh field, the unit, for sums only (see lines_text)
		my $unit = $a->{outage} ? 'outage' : defined $a->{to} ? 'to' : 'by';
		return join('|', $rule, 'extend', $a->{col}, '', $days, $new, '', '', '', '', $unit);
	}
	die "award $k";
}

# The generator of random policies and rows: the same package, another file
# (one concern a file).
require CompensationOracleGen;

1;
